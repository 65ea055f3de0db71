// Opens the configured database: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR (reached
// when another process already runs it); then the ORM, and pending migrations when asked.
// Shared by the server and the CLI.
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { startEmbeddedDatabase } from './embedded-database.ts';
import { migrateDatabase } from './migrate.ts';
import { createOrmOptions } from './orm-options.ts';
import { DATABASE_TIMEOUTS } from './pool.ts';

export interface OpenDatabase {
  orm: MikroORM;
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * Applies the pending migrations (one instance at a time: migrate.ts) and returns their names.
 * On an ORM of its own without the statement bound: a migration may legitimately run for
 * minutes (an index build), where a request's statement may not.
 */
export async function applyPendingMigrations(databaseUrl: string): Promise<string[]> {
  const migrator = await MikroORM.init(
    createOrmOptions({
      clientUrl: databaseUrl,
      poolMax: 1,
      timeouts: { ...DATABASE_TIMEOUTS, queryTimeoutMs: null },
    }),
  );
  try {
    return await migrateDatabase(migrator, databaseUrl);
  } finally {
    await migrator.close();
  }
}

/** The database's URL: DATABASE_URL, or the embedded one's (reached, or started for `close`). */
async function resolveDatabase(
  config: Config,
  logger: Logger,
): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  const embedded = await startEmbeddedDatabase(config.dataDir, (message) =>
    logger.warn({ embedded: true }, message),
  );
  logger.info(
    { dataDir: config.dataDir, startedHere: !embedded.reached },
    embedded.reached
      ? 'using the embedded PostgreSQL database that another process runs'
      : 'using the embedded PostgreSQL database',
  );
  return embedded;
}

export async function openDatabase(
  config: Config,
  logger: Logger,
  /** Apply pending migrations first: the server's MIGRATE_ON_START; the CLI only in `migrate`. */
  options: { migrate: boolean } = { migrate: config.migrateOnStart },
): Promise<OpenDatabase> {
  const database = await resolveDatabase(config, logger);
  const databaseUrl = database.url;
  try {
    if (options.migrate) {
      const applied = await applyPendingMigrations(databaseUrl);
      if (applied.length) logger.info({ applied }, 'applied migrations');
    }
    const orm = await MikroORM.init(createOrmOptions({ clientUrl: databaseUrl }));
    return {
      orm,
      databaseUrl,
      async close() {
        await orm.close();
        await database.stop();
      },
    };
  } catch (error) {
    await database.stop();
    throw error;
  }
}
