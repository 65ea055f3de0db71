// Keeps every instance's token cache coherent with revocations, with PostgreSQL alone (the
// protocol and its failure cases: docs/token-cache.md).
//
// - Each instance holds a lease (a `cache_leases` row, expiring in the database's time) and
//   renews it over the connection it LISTENs on, with a heartbeat notification in the same
//   statement. It serves from its cache only while the lease is valid by its own conservative
//   reckoning — from *before* it sent the renewal, minus a margin — and only counts a renewal
//   once its own heartbeat has come back on the listener: notifications arrive in commit
//   order, so that proves every revocation committed before it was heard. An instance that
//   stops hearing notifications (even while its queries still answer, as through a
//   transaction-mode pooler) stops serving from its cache before its lease ends.
// - A revoking transaction announces the revocation with pg_notify, which PostgreSQL sends only
//   if the transaction commits. Every listening instance drops the entries, then acknowledges.
// - After the commit, the revoker waits for an acknowledgement from every instance whose lease
//   is live, or for that lease to run out, whichever comes first. So once a revoking mutation
//   has answered, no instance accepts the revoked tokens.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { connectionOptions } from '../db/pool.ts';
import type { AuthMetrics } from './metrics-sink.ts';
import { type RevocationTarget, TokenCache } from './token-cache.ts';

const REVOCATIONS = 'tessera_revocations';
/** Marks the statements of the bus's own connection, so that tests can tell them from requests'. */
export const BUS_SQL_MARK = '/* tessera:revocation-bus */';
const ACKS = 'tessera_revocation_acks';
export const LEASE_TABLE = 'cache_leases';
/** TOKEN_CACHE_LEASE_SECONDS's upper bound (src/config.ts): no lease lasts longer. */
export const MAX_LEASE_MS = 60_000;

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
  /** Told of every drop from the cache (metrics-sink.ts). */
  metrics?: Pick<AuthMetrics, 'tokenCacheInvalidated'>;
}

export interface StartedRevocationBus extends RevocationBus {
  readonly instanceId: string;
  /** For the operator's metrics: whether the cache may serve now, and how many checks it holds. */
  cacheState(): { serving: boolean; entries: number } | undefined;
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
  // TOKEN_CACHE_SIZE=0: no cache and no lease (no revoker waits for it), but revocations made
  // here are still announced to, and waited for on, the instances that do cache.
  const cache = options.cacheSize > 0 ? new TokenCache(options.cacheSize) : undefined;
  // The lease is reckoned from before the renewal was sent, less this margin for clock rates.
  const marginMs = Math.max(50, leaseMs / 10);
  const renewEveryMs = leaseMs / 4;
  // Both clocks must agree that the lease holds: the monotonic one is immune to wall-clock
  // steps, the wall clock keeps counting while a machine is suspended.
  let servingUntil = 0; // performance.now() time
  let servingUntilWall = 0; // Date.now() time
  /** Heartbeats sent and not yet heard back: nonce → when the renewal carrying it was sent. */
  const heartbeats = new Map<string, { sentAt: number; sentAtWall: number }>();
  let client: pg.Client | undefined;
  let stopped = false;
  let reconnecting: Promise<void> | undefined;
  /** Announced in a transaction not yet settled: id → who has acknowledged it. */
  const announced = new WeakMap<EntityManager, string[]>();
  const waiters = new Map<string, Waiter>();

  /** `via`: the connection it came on, which acknowledges it (even before it is `client`). */
  const onNotification = (message: pg.Notification, via: pg.Client) => {
    if (message.channel === REVOCATIONS && message.payload) {
      const { id, s, u } = JSON.parse(message.payload) as {
        id: string;
        s?: string[];
        u?: string[];
      };
      if (!cache) return; // nothing to drop, and no lease: nobody waits for this instance
      cache.drop({ sessionIds: s, userIds: u });
      options.metrics?.tokenCacheInvalidated(u ? 'users' : 'sessions');
      via
        .query(`${BUS_SQL_MARK} select pg_notify($1, $2)`, [ACKS, `${id} ${instanceId}`])
        .catch((error: unknown) => lose(error));
    } else if (message.channel === ACKS && message.payload) {
      const [id = '', from = '', nonce = ''] = message.payload.split(' ');
      if (id === 'hb') {
        const sent = from === instanceId ? heartbeats.get(nonce) : undefined;
        if (!sent || stopped) return;
        heartbeats.delete(nonce);
        servingUntil = Math.max(servingUntil, sent.sentAt + leaseMs - marginMs);
        servingUntilWall = Math.max(servingUntilWall, sent.sentAtWall + leaseMs - marginMs);
        return;
      }
      const waiter = waiters.get(id);
      if (!waiter) return;
      waiter.acked.add(from);
      waiter.done?.(from);
    }
  };

  async function renew(): Promise<void> {
    const current = client;
    if (!current || !cache) return;
    const nonce = randomUUID();
    heartbeats.set(nonce, { sentAt: performance.now(), sentAtWall: Date.now() });
    // Heartbeats that never came back (a lost listener) must not pile up.
    for (const [old, sent] of heartbeats) {
      if (performance.now() - sent.sentAt > leaseMs) heartbeats.delete(old);
    }
    // One statement, one commit: the lease in the database's time, and the heartbeat that,
    // heard back on this listener, lets the instance count it (see the top of this file).
    await current.query(
      `${BUS_SQL_MARK} with lease as (
         insert into ${LEASE_TABLE} (instance_id, expires_at)
           values ($1, now() + $2 * interval '1 millisecond')
           on conflict (instance_id) do update set expires_at = excluded.expires_at)
       select pg_notify($3, $4)`,
      [instanceId, leaseMs, ACKS, `hb ${instanceId} ${nonce}`],
    );
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
    next.on('notification', (message) => onNotification(message, next));
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
    if (stopped) {
      // stop() came while this connection was being opened: it must not take a lease.
      next.on('error', () => {});
      await next.end().catch(() => {});
      return;
    }
    next.on('end', () => lose(new Error('revocation listener disconnected')));
    // Whatever was announced while no connection listened is unknown: start from nothing.
    if (cache) {
      cache.clear();
      options.metrics?.tokenCacheInvalidated('all');
    }
    client = next;
    await renew();
  }

  /** The listener is gone: stop serving from the cache at once, and reconnect. */
  function lose(error: unknown): void {
    if (stopped) return;
    servingUntil = 0;
    servingUntilWall = 0;
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

  const servingCache = () =>
    performance.now() < servingUntil && Date.now() < servingUntilWall ? cache : undefined;

  return {
    instanceId,
    servingCache,
    cacheState: () => cache && { serving: servingCache() !== undefined, entries: cache.size },

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
        // Who holds a lease, and for how long, is unknown: wait as long as any lease can last
        // (instances may be configured differently, say during a rollout).
        await sleep(MAX_LEASE_MS);
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
      servingUntilWall = 0;
      clearInterval(timer);
      const current = client;
      client = undefined;
      if (!current) {
        // Between connections (a reconnect under way): give the lease back another way.
        await options.pool
          .query(`${BUS_SQL_MARK} delete from ${LEASE_TABLE} where instance_id = $1`, [instanceId])
          .catch(() => {});
        return;
      }
      current.removeAllListeners('end');
      await current
        .query(`${BUS_SQL_MARK} delete from ${LEASE_TABLE} where instance_id = $1`, [instanceId])
        .catch(() => {});
      await current.end().catch(() => {});
    },
  };
}
