// Plain `pg` pools: the one MikroORM builds (guarded through its driverOptions) and a small one
// for the password throttle.
import pg from 'pg';

type Release = (err?: Error | boolean) => void;

/**
 * Makes the pool discard a client whose connection ends while it is checked out.
 *
 * kysely's ControlledTransaction (under MikroORM's em.transactional) releases its connection
 * only after ROLLBACK succeeds; on a connection that died mid-transaction ROLLBACK throws, the
 * release never happens, and the client stays checked out forever (kysely-org/kysely#1990).
 * Each database blip would cost a pool slot until every request hangs. So: when a checked-out
 * client's connection ends, release it with an error (pg-pool then drops it), and make any later
 * release of it a no-op instead of pg-pool's double-release throw.
 */
export function discardClientsLostWhileCheckedOut(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    let release: Release | undefined;
    let released = true;
    const releaseOnce: Release = (err) => {
      if (released || !release) return;
      released = true;
      release(err);
    };
    // pg-pool assigns client.release afresh at every checkout; capture each, hand out ours.
    Object.defineProperty(client, 'release', {
      configurable: true,
      get: () => releaseOnce,
      set: (fn: Release) => {
        release = fn;
        released = false;
      },
    });
    client.on('end', () => releaseOnce(new Error('connection lost while checked out')));
  });
}

export function createPool(databaseUrl: string, onIdleError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 4,
    connectionTimeoutMillis: 5000,
  });
  // An idle client dropped by the server emits 'error' on the pool, which would crash the
  // process if nobody listened; the next query reconnects.
  pool.on('error', onIdleError);
  discardClientsLostWhileCheckedOut(pool);
  return pool;
}
