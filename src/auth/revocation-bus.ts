// Keeps every instance's token cache coherent with revocations, with PostgreSQL alone (the
// protocol and its failure cases: docs/token-cache.md).
//
// - Each instance holds a lease (a `cache_leases` row, expiring in the database's time) and
//   renews it over the connection it LISTENs on. It serves from its cache only while the lease
//   is valid by its own conservative reckoning: from *before* it sent the renewal, minus a
//   margin. An instance that stops hearing notifications stops renewing, so it stops serving
//   from its cache before its lease ends in the database.
// - A revoking transaction announces the revocation with pg_notify, which PostgreSQL sends only
//   if the transaction commits. Every listening instance drops the entries, then acknowledges.
// - After the commit, the revoker waits for an acknowledgement from every instance whose lease
//   is live, or for that lease to run out, whichever comes first. So once a revoking mutation
//   has answered, no instance accepts the revoked tokens.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { connectionOptions } from '../db/pool.ts';
import { type RevocationTarget, TokenCache } from './token-cache.ts';

const REVOCATIONS = 'tessera_revocations';
/** Marks the statements of the bus's own connection, so that tests can tell them from requests'. */
export const BUS_SQL_MARK = '/* tessera:revocation-bus */';
const ACKS = 'tessera_revocation_acks';
export const LEASE_TABLE = 'cache_leases';

export interface RevocationBus {
  /** This instance's cache, when it may serve from it right now; else undefined. */
  servingCache(): TokenCache | undefined;
  /** In the revoking transaction: announce it (sent only if the transaction commits). */
  announce(tx: EntityManager, target: RevocationTarget): Promise<void>;
  /** After `tx` committed: every instance has dropped what it announced, or lost its lease. */
  settle(tx: EntityManager): Promise<void>;
}

/** For instances without a cache: every check goes to the database, nothing to announce. */
export const noRevocationBus: RevocationBus = {
  servingCache: () => undefined,
  announce: async () => {},
  settle: async () => {},
};

export interface RevocationBusOptions {
  databaseUrl: string;
  /** For the lease look-ups of a revoker; any pool on the database. */
  pool: pg.Pool;
  cacheSize: number;
  /** How long a lease lasts; also the longest a revoker waits for an instance that hangs. */
  leaseMs: number;
  onError(error: unknown): void;
}

export interface StartedRevocationBus extends RevocationBus {
  readonly instanceId: string;
  /** Stops serving from the cache, gives the lease back (so no revoker waits for it), disconnects. */
  stop(): Promise<void>;
}

interface Waiter {
  acked: Set<string>;
  done?: (instanceId: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startRevocationBus(
  options: RevocationBusOptions,
): Promise<StartedRevocationBus> {
  const { leaseMs } = options;
  const instanceId = randomUUID();
  const cache = new TokenCache(options.cacheSize);
  // The lease is reckoned from before the renewal was sent, less this margin for clock rates.
  const marginMs = Math.max(50, leaseMs / 10);
  const renewEveryMs = leaseMs / 4;
  let servingUntil = 0; // performance.now() time
  let client: pg.Client | undefined;
  let stopped = false;
  let reconnecting: Promise<void> | undefined;
  /** Announced in a transaction not yet settled: id → who has acknowledged it. */
  const announced = new WeakMap<EntityManager, string[]>();
  const waiters = new Map<string, Waiter>();

  const onNotification = (message: pg.Notification) => {
    if (message.channel === REVOCATIONS && message.payload) {
      const { id, s, u } = JSON.parse(message.payload) as {
        id: string;
        s?: string[];
        u?: string[];
      };
      cache.drop({ sessionIds: s, userIds: u });
      client
        ?.query(`${BUS_SQL_MARK} select pg_notify($1, $2)`, [ACKS, `${id} ${instanceId}`])
        .catch((error: unknown) => lose(error));
    } else if (message.channel === ACKS && message.payload) {
      const [id = '', from = ''] = message.payload.split(' ');
      const waiter = waiters.get(id);
      if (!waiter) return;
      waiter.acked.add(from);
      waiter.done?.(from);
    }
  };

  async function renew(): Promise<void> {
    const current = client;
    if (!current) return;
    const sentAt = performance.now();
    await current.query(
      `${BUS_SQL_MARK} insert into ${LEASE_TABLE} (instance_id, expires_at)
         values ($1, now() + $2 * interval '1 millisecond')
         on conflict (instance_id) do update set expires_at = excluded.expires_at`,
      [instanceId, leaseMs],
    );
    // Notifications committed before the renewal arrived ahead of its answer on this very
    // connection, so the cache already reflects them.
    if (client === current && !stopped) servingUntil = sentAt + leaseMs - marginMs;
  }

  async function connect(): Promise<void> {
    // Bounded like every connection, and tighter: a renewal slower than half a lease is of no
    // use, and a timed-out one means the listener must be replaced.
    const next = new pg.Client({
      connectionString: options.databaseUrl,
      ...connectionOptions({
        connectionTimeoutMs: leaseMs,
        queryTimeoutMs: Math.max(250, leaseMs / 2),
      }),
    });
    next.on('notification', onNotification);
    next.on('error', (error) => lose(error));
    try {
      await next.connect();
      await next.query(`${BUS_SQL_MARK} listen ${REVOCATIONS}; listen ${ACKS}`);
    } catch (error) {
      next.removeAllListeners('error');
      next.on('error', () => {});
      await next.end().catch(() => {});
      throw error;
    }
    next.on('end', () => lose(new Error('revocation listener disconnected')));
    // Whatever was announced while no connection listened is unknown: start from nothing.
    cache.clear();
    client = next;
    await renew();
  }

  /** The listener is gone: stop serving from the cache at once, and reconnect. */
  function lose(error: unknown): void {
    if (stopped) return;
    servingUntil = 0;
    const broken = client;
    client = undefined;
    if (broken) {
      broken.removeAllListeners('end');
      broken.on('error', () => {});
      broken.end().catch(() => {});
    }
    if (reconnecting) return;
    options.onError(error);
    reconnecting = (async () => {
      for (let pause = 100; !stopped; pause = Math.min(pause * 2, 5000)) {
        try {
          await connect();
          return;
        } catch {
          await sleep(pause);
        }
      }
    })().finally(() => {
      reconnecting = undefined;
    });
  }

  await connect().catch((error: unknown) => lose(error));
  const timer = setInterval(() => {
    renew().catch((error: unknown) => lose(error));
  }, renewEveryMs);
  timer.unref();

  return {
    instanceId,
    servingCache: () => (performance.now() < servingUntil ? cache : undefined),

    async announce(tx, target) {
      const id = randomUUID();
      // Registered before it can be acknowledged: acks may arrive before settle() is called.
      waiters.set(id, { acked: new Set() });
      const ids = announced.get(tx) ?? [];
      ids.push(id);
      announced.set(tx, ids);
      setTimeout(() => waiters.delete(id), 60_000).unref(); // a rolled-back one is never settled
      await tx
        .getConnection()
        .execute(
          'select pg_notify(?, ?)',
          [REVOCATIONS, JSON.stringify({ id, s: target.sessionIds, u: target.userIds })],
          'all',
          tx.getTransactionContext(),
        );
    },

    async settle(tx) {
      const ids = announced.get(tx);
      if (!ids?.length) return;
      announced.delete(tx);
      let leases: Array<{ instance_id: string; remaining_ms: number }>;
      try {
        ({ rows: leases } = await options.pool.query(
          `${BUS_SQL_MARK} select instance_id, (extract(epoch from expires_at - now()) * 1000)::float8 as remaining_ms
             from ${LEASE_TABLE} where expires_at > now()`,
        ));
      } catch {
        // Who holds a lease is unknown: wait as long as any lease can last.
        await sleep(leaseMs);
        return;
      }
      await Promise.all(
        ids.map((id) => {
          const waiter = waiters.get(id) ?? { acked: new Set<string>() };
          const pending = new Set(
            leases.filter((l) => !waiter.acked.has(l.instance_id)).map((l) => l.instance_id),
          );
          if (pending.size === 0) {
            waiters.delete(id);
            return undefined;
          }
          return new Promise<void>((resolve) => {
            const timers: NodeJS.Timeout[] = [];
            const finish = (from: string) => {
              pending.delete(from);
              if (pending.size > 0) return;
              for (const t of timers) clearTimeout(t);
              waiters.delete(id);
              resolve();
            };
            waiter.done = finish;
            waiters.set(id, waiter);
            for (const lease of leases) {
              if (!pending.has(lease.instance_id)) continue;
              // Its lease ends: by then it has stopped serving from its cache by its own clock.
              timers.push(setTimeout(() => finish(lease.instance_id), lease.remaining_ms + 20));
            }
          });
        }),
      );
    },

    async stop() {
      stopped = true;
      servingUntil = 0;
      clearInterval(timer);
      const current = client;
      client = undefined;
      if (!current) return;
      current.removeAllListeners('end');
      await current
        .query(`${BUS_SQL_MARK} delete from ${LEASE_TABLE} where instance_id = $1`, [instanceId])
        .catch(() => {});
      await current.end().catch(() => {});
    },
  };
}
