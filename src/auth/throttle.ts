// The per-IP and per-(email, IP) limits of contract section 5, kept in PostgreSQL so that every
// instance shares them: failed password checks (LOGIN_MAX_FAILURES per (email, network) per 15
// minutes, 100 per network per day) and sign-ups (SIGNUP_MAX_PER_IP per network per hour).
// A client's "network" is client-network.ts's. Keys are SHA-256 digests, so the table holds no
// email address or IP in the clear; an (email, network) entry also carries the digest of the
// email alone, so that an operator can clear an address's lockout from every network.
//
// How a password check is admitted, race-free and without mistaking concurrency for guessing:
// each check in flight holds a *pending* entry for its keys, and is admitted only while
// failures + pending < limit, under a per-key advisory lock. A check that would exceed that
// only because others are still in flight waits for them (briefly; they take one argon2 hash)
// instead of being refused: 200 correct logins at once from one office all get in, while 20
// wrong guesses at once at a limit of 3 still get exactly 3 checks. A pending entry becomes a
// failure only when a password was actually wrong; a right one removes it. An attempt cut off
// midway leaves a pending entry that expires after PENDING_TTL_SECONDS, never a failure.
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../db/pool.ts';
import { clientNetwork } from './client-network.ts';
import { addSeconds, type Clock } from './clock.ts';

export const EMAIL_IP_WINDOW_SECONDS = 15 * 60;
export const IP_WINDOW_SECONDS = 24 * 60 * 60;
export const IP_MAX_FAILURES = 100;
export const SIGNUP_WINDOW_SECONDS = 60 * 60;
/** Created by the migrations, so the app never runs DDL at run time. */
export const THROTTLE_TABLE = 'rate_limit_entries';
/** Far longer than a check takes (one argon2 verify), so only an abandoned attempt outlives it. */
const PENDING_TTL_SECONDS = 30;
/** How long a check may wait for others in flight before it is refused after all. */
const MAX_WAIT_MS = 5000;

/** Which limit an attempt counts against: per (email, network) or per network (password
 * checks), or sign-ups per network. */
export type RateLimitKind = 'password_email_network' | 'password_network' | 'signup_network';

/** A refusal names the limit that refused, for the operator's metrics. */
export type Refusal = { allowed: false; retryAfterSeconds: number; limit: RateLimitKind };

export type Admission = { allowed: true } | Refusal;

/** One admitted password check; settle it exactly once. */
export interface PasswordCheck {
  /** The password was right: the (email, network) failures start over. */
  succeeded(): Promise<void>;
  /** The password was wrong; `limitReached` when this failure is the one that locks a key. */
  failed(): Promise<{ limitReached: boolean }>;
  /** Nothing was decided (the request failed on the way): count nothing. */
  abandoned(): Promise<void>;
}

export interface Throttle {
  beginPasswordCheck(
    email: string,
    ip: string | null,
  ): Promise<{ allowed: true; check: PasswordCheck } | Refusal>;
  /** Counts a sign-up attempt of the client; refused past SIGNUP_MAX_PER_IP in the window. */
  admitSignUp(ip: string | null): Promise<Admission>;
}

export interface ThrottleOptions {
  pool: pg.Pool;
  clock: Clock;
  maxFailuresPerEmailAndIp: number;
  maxFailuresPerIp?: number;
  maxSignUpsPerIp: number;
}

interface Limit {
  kind: RateLimitKind;
  key: string;
  /** The digest of the email alone, on the (email, network) limit's entries. */
  emailKey: string | null;
  max: number;
  windowSeconds: number;
}

interface Entry {
  key: string;
  kind: 'pending' | 'failure' | 'signup';
  expires_at: number;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** The keys of a password check's two limits, and of its email alone. */
function passwordKeys(email: string, ip: string | null) {
  const network = clientNetwork(ip);
  return {
    emailAndNetwork: digest('email-ip', email, network),
    email: digest('email', email),
    network: digest('ip', network),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in a transaction holding an advisory lock per key (taken in a fixed order, so two
 * attempts sharing keys cannot deadlock): every admission decision for a key is serialised.
 */
function underKeyLocks<T>(
  pool: pg.Pool,
  keys: string[],
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return inTransaction(pool, async (client) => {
    for (const key of [...keys].sort()) {
      await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    }
    return work(client);
  });
}

async function entriesOf(client: pg.PoolClient, keys: string[], now: Date): Promise<Entry[]> {
  const { rows } = await client.query<Entry>(
    `select key, kind, (extract(epoch from expires_at) * 1000)::float8 as expires_at
       from ${THROTTLE_TABLE} where key = any($1) and expires_at > $2 order by expires_at`,
    [keys, now],
  );
  return rows;
}

/** Seconds until enough of `expiries` (ascending) lapse to bring their count below `max`. */
function secondsUntilBelow(expiries: number[], max: number, now: Date): number {
  const lapse = expiries[expiries.length - max] ?? now.getTime();
  return Math.max(1, Math.ceil((lapse - now.getTime()) / 1000));
}

/** Settling statements are idempotent: one retry rides out a connection lost under them. */
async function settle(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch {
    await run();
  }
}

export function createThrottle(options: ThrottleOptions): Throttle {
  const { pool, clock } = options;
  const maxPerIp = options.maxFailuresPerIp ?? IP_MAX_FAILURES;

  const passwordLimits = (email: string, ip: string | null): Limit[] => {
    const keys = passwordKeys(email, ip);
    return [
      {
        kind: 'password_email_network',
        key: keys.emailAndNetwork,
        emailKey: keys.email,
        max: options.maxFailuresPerEmailAndIp,
        windowSeconds: EMAIL_IP_WINDOW_SECONDS,
      },
      {
        kind: 'password_network',
        key: keys.network,
        emailKey: null,
        max: maxPerIp,
        windowSeconds: IP_WINDOW_SECONDS,
      },
    ];
  };

  /** One look under the locks: refused, admitted (pending entries written), or must wait. */
  const tryAdmit = (limits: Limit[], attemptId: string) =>
    underKeyLocks(
      pool,
      limits.map((l) => l.key),
      async (client) => {
        const now = clock.now();
        const entries = await entriesOf(
          client,
          limits.map((l) => l.key),
          now,
        );
        let refusal: Refusal | undefined;
        let busy: RateLimitKind | undefined;
        for (const limit of limits) {
          const own = entries.filter((e) => e.key === limit.key);
          const failures = own.filter((e) => e.kind === 'failure').map((e) => e.expires_at);
          if (failures.length >= limit.max) {
            const retryAfterSeconds = secondsUntilBelow(failures, limit.max, now);
            // The limit that holds out longest is the one the client is told about.
            if (!refusal || retryAfterSeconds > refusal.retryAfterSeconds) {
              refusal = { allowed: false, retryAfterSeconds, limit: limit.kind };
            }
          } else if (own.length >= limit.max) {
            busy ??= limit.kind;
          }
        }
        if (refusal) return { state: 'refused', refusal } as const;
        if (busy) return { state: 'busy', limit: busy } as const;
        await client.query(
          `insert into ${THROTTLE_TABLE} (key, attempt_id, kind, expires_at, email_key)
           select key, $2, 'pending', $3, email_key
             from unnest($1::text[], $4::text[]) as entry(key, email_key)`,
          [
            limits.map((l) => l.key),
            attemptId,
            addSeconds(now, PENDING_TTL_SECONDS),
            limits.map((l) => l.emailKey),
          ],
        );
        return { state: 'admitted' } as const;
      },
    );

  const checkFor = (limits: Limit[], attemptId: string): PasswordCheck => ({
    succeeded: () =>
      settle(() =>
        pool.query(
          `delete from ${THROTTLE_TABLE} where attempt_id = $1 or (key = $2 and kind = 'failure')`,
          [attemptId, limits[0]?.key],
        ),
      ),
    abandoned: () =>
      settle(() =>
        pool.query(`delete from ${THROTTLE_TABLE} where attempt_id = $1 and kind = 'pending'`, [
          attemptId,
        ]),
      ),
    async failed() {
      let limitReached = false;
      await settle(async () => {
        limitReached = await underKeyLocks(
          pool,
          limits.map((l) => l.key),
          async (client) => {
            const now = clock.now();
            for (const limit of limits) {
              // An upsert, not an update: the pending entry may have lapsed (and been pruned)
              // under an overloaded check, and the failure must be counted all the same.
              await client.query(
                `insert into ${THROTTLE_TABLE} (key, attempt_id, kind, expires_at, email_key)
                   values ($2, $1, 'failure', $3, $4)
                   on conflict (key, attempt_id) do update set kind = 'failure', expires_at = $3`,
                [attemptId, limit.key, addSeconds(now, limit.windowSeconds), limit.emailKey],
              );
            }
            const entries = await entriesOf(
              client,
              limits.map((l) => l.key),
              now,
            );
            return limits.some(
              (limit) =>
                entries.filter((e) => e.key === limit.key && e.kind === 'failure').length ===
                limit.max,
            );
          },
        );
      });
      return { limitReached };
    },
  });

  return {
    async beginPasswordCheck(email, ip) {
      const limits = passwordLimits(email, ip);
      const attemptId = randomUUID();
      const started = performance.now();
      for (let pause = 5; ; pause = Math.min(pause * 2, 50)) {
        const outcome = await tryAdmit(limits, attemptId);
        if (outcome.state === 'admitted')
          return { allowed: true, check: checkFor(limits, attemptId) };
        if (outcome.state === 'refused') return outcome.refusal;
        // Full only of checks still in flight: wait for them to settle rather than refuse.
        if (performance.now() - started > MAX_WAIT_MS)
          return { allowed: false, retryAfterSeconds: 1, limit: outcome.limit };
        await sleep(pause * (0.5 + Math.random()));
      }
    },

    admitSignUp(ip) {
      const key = digest('signup', clientNetwork(ip));
      const max = options.maxSignUpsPerIp;
      return underKeyLocks(pool, [key], async (client) => {
        const now = clock.now();
        const expiries = (await entriesOf(client, [key], now)).map((e) => e.expires_at);
        if (expiries.length >= max) {
          return {
            allowed: false,
            retryAfterSeconds: secondsUntilBelow(expiries, max, now),
            limit: 'signup_network',
          } as const;
        }
        await client.query(
          `insert into ${THROTTLE_TABLE} (key, attempt_id, kind, expires_at) values ($1, $2, 'signup', $3)`,
          [key, randomUUID(), addSeconds(now, SIGNUP_WINDOW_SECONDS)],
        );
        return { allowed: true };
      });
    },
  };
}

/**
 * An operator lifts a lockout: forgets the failed password checks of `email` (normalised) from
 * every network, or with `ip` from that client's network only, and then also that network's
 * own count (its IP_MAX_FAILURES a day, which locks out everyone behind it). Checks in flight
 * are left to settle. Returns how many failures were forgotten.
 */
export async function clearPasswordFailures(
  pool: pg.Pool,
  target: { email: string; ip?: string },
): Promise<{ emailFailures: number; networkFailures: number }> {
  const forget = async (column: 'key' | 'email_key', value: string) =>
    (
      await pool.query(`delete from ${THROTTLE_TABLE} where kind = 'failure' and ${column} = $1`, [
        value,
      ])
    ).rowCount ?? 0;
  const keys = passwordKeys(target.email, target.ip ?? null);
  if (target.ip === undefined) {
    return { emailFailures: await forget('email_key', keys.email), networkFailures: 0 };
  }
  return {
    emailFailures: await forget('key', keys.emailAndNetwork),
    networkFailures: await forget('key', keys.network),
  };
}
