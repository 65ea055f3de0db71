// `npm run prune`: one pass of the cleanup that the server also runs on a schedule
// (PRUNE_INTERVAL_SECONDS), for deployments that prefer a cron job.
import { systemClock } from './auth/clock.ts';
import { pruneExpired } from './auth/prune.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/open-database.ts';
import { createLogger } from './log.ts';

try {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger);
  try {
    const deleted = await pruneExpired(database.orm.em.fork(), systemClock, config);
    logger.info({ deleted }, 'pruned expired data');
  } finally {
    await database.close();
  }
} catch (error) {
  const message =
    error instanceof ConfigError
      ? error.message
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`Tessera prune failed: ${message}\n`);
  process.exit(1);
}
