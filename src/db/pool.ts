// Plain `pg` pools: the one MikroORM builds (guarded through its driverOptions) and a small one
// for the password throttle; their timeouts, and the guards that keep broken connections out.
import pg from 'pg';

/** How long a pooled connection may take to connect, and a statement to be answered. */
export interface DatabaseTimeouts {
  connectionTimeoutMs: number;
  /** null: no bound (migrations, which may legitimately build an index for minutes). */
  queryTimeoutMs: number | null;
}

/**
 * Production bounds. Tessera's statements are index lookups and small writes that take
 * milliseconds, and a reachable PostgreSQL accepts a connection in milliseconds; past 5 s the
 * database is sick or the network silent, and a request is better answered SERVICE_UNAVAILABLE
 * than left holding a pool slot (a silent network never ends a connection by itself).
 */
export const DATABASE_TIMEOUTS: DatabaseTimeouts = {
  connectionTimeoutMs: 5000,
  queryTimeoutMs: 5000,
};

/**
 * The client gives up this much later than the server's statement_timeout: while the server can
 * still answer, its cancellation arrives first and the connection stays usable; only when no
 * answer can come does the client time out (and then the connection is destroyed, below).
 */
const CLIENT_QUERY_TIMEOUT_MARGIN_MS = 250;

/**
 * TCP keepalive on idle connections, where no query timer runs: a peer that vanished silently
 * (a NAT or firewall that forgot the flow) is noticed by the kernel instead of on next use.
 */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/** pg connection options for `timeouts`; both pools take them (for the ORM's, driverOptions). */
export function connectionOptions(timeouts: DatabaseTimeouts): pg.PoolConfig {
  const { connectionTimeoutMs, queryTimeoutMs } = timeouts;
  return {
    connectionTimeoutMillis: connectionTimeoutMs,
    ...(queryTimeoutMs !== null && {
      statement_timeout: queryTimeoutMs,
      query_timeout: queryTimeoutMs + CLIENT_QUERY_TIMEOUT_MARGIN_MS,
    }),
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
  };
}

type Release = (err?: Error | boolean) => void;

// pg's message for a query_timeout (pg/lib/client.js); test/integration/partition.test.ts fails
// if a pg upgrade changes it.
const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * Ends a connection whose query timed out on the client side. pg rejects the query but leaves
 * the connection as it was, still waiting for the answer: handed back to the pool, every later
 * query on it would queue behind one that never completes (after a silent partition, the whole
 * pool). Ending it fails what is queued behind at once (such as a transaction's ROLLBACK) and
 * emits 'end', which releases it with an error if it is checked out (below), so the pool drops
 * it and connects afresh. The error gets code ETIMEDOUT, Node's name for a network that stopped
 * answering, so that it reads as "database unavailable" rather than as a bug.
 */
function endOnQueryTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const onError = (error: unknown) => {
    if (!(error instanceof Error) || error.message !== QUERY_READ_TIMEOUT) return;
    Object.assign(error, { code: 'ETIMEDOUT' });
    // With a query in flight, end() destroys the socket rather than waiting on a silent peer.
    void client.end().catch(() => {});
  };
  const guarded = (...args: unknown[]) => {
    // The callback forms (pg-pool's own pool.query uses one): (config, cb), (text, values, cb).
    const last = typeof args[2] === 'function' ? 2 : typeof args[1] === 'function' ? 1 : -1;
    if (last >= 0) {
      const callback = args[last] as (err: unknown, result: unknown) => void;
      args[last] = (err: unknown, result: unknown) => {
        onError(err);
        callback(err, result);
      };
    }
    const result = query(...args);
    // The promise form (kysely's): observe the rejection; the caller still gets it.
    if (result instanceof Promise) result.catch(onError);
    return result;
  };
  Object.defineProperty(client, 'query', { configurable: true, writable: true, value: guarded });
}

/**
 * Makes the pool discard a client whose connection ends while it is checked out, and end one
 * whose query timed out (endOnQueryTimeout).
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
    // A checked-out client whose connection ends between two queries emits 'error', and
    // pg-pool listens only while the client is idle: unheard, that event is an uncaught
    // exception that ends the process. The loss itself is handled by 'end' above, and a query
    // in flight fails on its own.
    client.on('error', () => {});
    endOnQueryTimeout(client);
  });
}

export function createPool(
  databaseUrl: string,
  onIdleError: (error: Error) => void,
  timeouts: DatabaseTimeouts = DATABASE_TIMEOUTS,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 4,
    ...connectionOptions(timeouts),
  });
  // An idle client dropped by the server emits 'error' on the pool, which would crash the
  // process if nobody listened; the next query reconnects.
  pool.on('error', onIdleError);
  discardClientsLostWhileCheckedOut(pool);
  return pool;
}

/**
 * Runs `work` in a transaction on one client of `pool`, committing if it returns and rolling
 * back if it throws. A client whose rollback failed (its connection is gone) is released with
 * that error, so the pool discards it instead of handing it out again.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
