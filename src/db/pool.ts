// A small plain `pg` pool, for the parts that talk to PostgreSQL outside the ORM (the
// password throttle). An idle client dropped by the server emits 'error' on the pool, which
// would crash the process if nobody listened; the next query reconnects.
import pg from 'pg';

export function createPool(databaseUrl: string, onIdleError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 4,
    connectionTimeoutMillis: 5000,
  });
  pool.on('error', onIdleError);
  return pool;
}
