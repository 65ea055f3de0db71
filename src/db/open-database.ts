// Opens the configured database: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR; then the
// ORM, and pending migrations when MIGRATE_ON_START is on. Shared by the server and the CLI.
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

export async function openDatabase(config: Config, logger: Logger): Promise<OpenDatabase> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedDatabase(config.dataDir, (message) =>
        logger.warn({ embedded: true }, message),
      );
  if (embedded) logger.info({ dataDir: config.dataDir }, 'using the embedded PostgreSQL database');
  const databaseUrl = config.databaseUrl ?? (embedded as { url: string }).url;
  try {
    if (config.migrateOnStart) {
      // On an ORM of its own without the statement bound: a migration may legitimately run for
      // minutes (an index build), where a request's statement may not.
      const migrator = await MikroORM.init(
        createOrmOptions({
          clientUrl: databaseUrl,
          poolMax: 1,
          timeouts: { ...DATABASE_TIMEOUTS, queryTimeoutMs: null },
        }),
      );
      try {
        const applied = await migrateDatabase(migrator, databaseUrl);
        if (applied.length) logger.info({ applied }, 'applied migrations');
      } finally {
        await migrator.close();
      }
    }
    const orm = await MikroORM.init(createOrmOptions({ clientUrl: databaseUrl }));
    return {
      orm,
      databaseUrl,
      async close() {
        await orm.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
