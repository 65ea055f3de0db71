// Applies pending migrations. Several instances may start at once: a PostgreSQL advisory lock,
// held on a connection of its own, lets one migrate while the others wait and then find
// nothing left to do.
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';

// Any constant works; this one is "tessera" in ASCII, to be recognisable in pg_locks.
const MIGRATION_LOCK_KEY = 0x7465737365726100n;

export async function migrateDatabase(orm: MikroORM, databaseUrl: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    const applied = await orm.migrator.up();
    return applied.map((migration) => migration.name);
  } finally {
    // Closing the connection releases the lock even if the unlock is never reached.
    await lock.end();
  }
}
