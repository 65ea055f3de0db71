// Deletes what can no longer be used, in small batches so no statement holds locks for long:
// - access tokens past their expiry;
// - sealed successors of spent refresh tokens, once the retry window has passed (they are
//   never opened again; less at rest is better);
// - sessions that ended (revoked, past their absolute or idle end) over ENDED_SESSION_RETENTION
//   ago, and with them their refresh tokens. Spent refresh tokens live as long as their session,
//   so a replay is caught as reuse for the session's whole life;
// - expired rate-limit entries (throttle.ts);
// - leases of token caches that ended over an hour ago (instances that stopped without
//   giving theirs back);
// - security events older than SECURITY_EVENT_RETENTION_DAYS.
// One pass at a time across every instance and the CLI (prunePass): an advisory lock.
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { connectionOptions, DATABASE_TIMEOUTS } from '../db/pool.ts';
import { addSeconds, type Clock } from './clock.ts';
import { endedBeforeSql } from './liveness.ts';
import { LEASE_TABLE } from './revocation-bus.ts';
import { THROTTLE_TABLE } from './throttle.ts';

export const ENDED_SESSION_RETENTION_SECONDS = 7 * 24 * 60 * 60;
const BATCH_SIZE = 1000;

export interface PruneSettings {
  readonly refreshReuseGraceSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly securityEventRetentionDays: number;
}

export interface PruneCounts {
  accessTokens: number;
  successorSeals: number;
  refreshTokens: number;
  sessions: number;
  rateLimitEntries: number;
  cacheLeases: number;
  securityEvents: number;
}

/** Runs `statement` (which affects at most `batchSize` rows) until a batch comes back short. */
async function inBatches(
  em: EntityManager,
  statement: string,
  params: unknown[],
  batchSize: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await em
      .getConnection()
      .execute<{ affectedRows: number }>(statement, [...params, batchSize], 'run');
    total += result.affectedRows;
    if (result.affectedRows < batchSize) return total;
  }
}

export async function pruneExpired(
  em: EntityManager,
  clock: Clock,
  settings: PruneSettings,
  batchSize = BATCH_SIZE,
): Promise<PruneCounts> {
  const now = clock.now();
  const endedBefore = addSeconds(now, -ENDED_SESSION_RETENTION_SECONDS);
  const ended = endedBeforeSql(settings, endedBefore);
  const endedTokens = endedBeforeSql(settings, endedBefore, 's');
  const eventsBefore = addSeconds(now, -settings.securityEventRetentionDays * 86_400);
  return {
    accessTokens: await inBatches(
      em,
      'delete from access_tokens where id in (select id from access_tokens where expires_at < ? limit ?)',
      [now],
      batchSize,
    ),
    successorSeals: await inBatches(
      em,
      `update refresh_tokens set successor_seal = null where id in (
         select id from refresh_tokens where successor_seal is not null and used_at < ? limit ?)`,
      [addSeconds(now, -settings.refreshReuseGraceSeconds)],
      batchSize,
    ),
    // An ended session's refresh tokens go first, in statements of their own: deleting the
    // session would otherwise lock session then tokens (the cascade), the reverse of the order a
    // refresh or an account deletion takes, and a pass meeting a deletion could deadlock with it.
    refreshTokens: await inBatches(
      em,
      `delete from refresh_tokens where id in (
         select rt.id from refresh_tokens rt join sessions s on s.id = rt.session_id
         where ${endedTokens.sql} limit ?)`,
      endedTokens.params,
      batchSize,
    ),
    sessions: await inBatches(
      em,
      `delete from sessions where id in (select id from sessions where ${ended.sql} limit ?)`,
      ended.params,
      batchSize,
    ),
    rateLimitEntries: await inBatches(
      em,
      `delete from ${THROTTLE_TABLE} where (key, attempt_id) in (
         select key, attempt_id from ${THROTTLE_TABLE} where expires_at < ? limit ?)`,
      [now],
      batchSize,
    ),
    cacheLeases: await inBatches(
      em,
      // In the database's time, like the leases themselves: never the app's clock.
      `delete from ${LEASE_TABLE} where instance_id in (
         select instance_id from ${LEASE_TABLE} where expires_at < now() - interval '1 hour' limit ?)`,
      [],
      batchSize,
    ),
    securityEvents: await inBatches(
      em,
      'delete from security_events where id in (select id from security_events where occurred_at < ? limit ?)',
      [eventsBefore],
      batchSize,
    ),
  };
}

/** "tessera" in ASCII and then "p": the advisory lock of a prune pass (migrate.ts has "\0"). */
export const PRUNE_LOCK_KEY = 0x7465737365726170n;
/** How often a pass that waits for the lock asks for it again. */
const LOCK_POLL_MS = 200;

export type PrunePass =
  | { kind: 'pruned'; deleted: PruneCounts; waitedMs: number; startedAt: Date; finishedAt: Date }
  /** Another pass held the lock for all of `waitMs`. */
  | { kind: 'busy'; waitedMs: number };

/**
 * One prune pass, while no other runs anywhere: it holds a session-level advisory lock on a
 * connection of its own for the whole pass (whose batches run on the ORM's connections, each
 * short). Without the lock every instance's timer pruned at once, competing for the same rows.
 * A pass that cannot get the lock at once asks again until `waitMs` has passed (the servers'
 * timers wait 0: the pass under way does their work), then reports `busy`.
 */
export async function prunePass(options: {
  em: EntityManager;
  databaseUrl: string;
  clock: Clock;
  settings: PruneSettings;
  waitMs?: number;
}): Promise<PrunePass> {
  const { em, clock, settings, waitMs = 0 } = options;
  const lock = new pg.Client({
    connectionString: options.databaseUrl,
    ...connectionOptions(DATABASE_TIMEOUTS),
  });
  // Should this connection drop mid-pass, PostgreSQL releases the lock and another pass may
  // start beside this one: harmless (both only delete what is dead), so the pass carries on.
  lock.on('error', () => {});
  await lock.connect();
  const started = performance.now();
  try {
    for (;;) {
      const { rows } = await lock.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1) as locked',
        [PRUNE_LOCK_KEY.toString()],
      );
      if (rows[0]?.locked) break;
      const waitedMs = performance.now() - started;
      if (waitedMs >= waitMs) return { kind: 'busy', waitedMs };
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(LOCK_POLL_MS, waitMs - waitedMs)),
      );
    }
    const waitedMs = performance.now() - started;
    const startedAt = clock.now();
    const deleted = await pruneExpired(em, clock, settings);
    return { kind: 'pruned', deleted, waitedMs, startedAt, finishedAt: clock.now() };
  } finally {
    // Ending the session releases the lock, whether or not the pass got as far as taking it.
    await lock.end().catch(() => {});
  }
}
