// Composition root: config → database → ORM → migrations → server → listen; graceful shutdown.
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmOptions } from '../mikro-orm.config.ts';
import { systemClock } from './auth/clock.ts';
import { createPasswordHasher } from './auth/passwords.ts';
import { createPasswordThrottle } from './auth/throttle.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startEmbeddedDatabase } from './db/embedded-database.ts';
import { migrateDatabase } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { createTesseraServer } from './http/server.ts';
import { createLogger } from './log.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Tessera cannot start: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);

  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedDatabase(config.dataDir, (message) =>
        logger.warn({ embedded: true }, message),
      );
  if (embedded) logger.info({ dataDir: config.dataDir }, 'using the embedded PostgreSQL database');
  const databaseUrl = config.databaseUrl ?? (embedded as { url: string }).url;

  const orm = await MikroORM.init(createOrmOptions({ clientUrl: databaseUrl }));
  if (config.migrateOnStart) {
    const applied = await migrateDatabase(orm, databaseUrl);
    if (applied.length) logger.info({ applied }, 'applied migrations');
  }

  const pool = createPool(databaseUrl, (err) =>
    logger.warn({ err }, 'idle database connection lost'),
  );
  const throttle = createPasswordThrottle({
    pool,
    maxFailuresPerEmailAndIp: config.loginMaxFailures,
  });
  const server = createTesseraServer({
    orm,
    auth: { clock: systemClock, settings: config, passwords: createPasswordHasher(), throttle },
    production: config.production,
    trustProxy: config.trustProxy,
    logger,
  });
  const port = await server.listen(config.port);
  logger.info({ port }, `Tessera is listening on http://localhost:${port}/graphql`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await server.close();
      await orm.close();
      await pool.end();
      await embedded?.stop();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Tessera failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
