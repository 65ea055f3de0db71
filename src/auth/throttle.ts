// Failed-password throttling (contract section 5), kept in PostgreSQL so that every instance
// shares the counts: per (email, client IP) over 15 minutes and per client IP over a day.
// Counting is rate-limiter-flexible's; keys are SHA-256 digests, so the counter table holds
// no email address or IP in the clear.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';

export const EMAIL_IP_WINDOW_SECONDS = 15 * 60;
export const IP_WINDOW_SECONDS = 24 * 60 * 60;
export const IP_MAX_FAILURES = 100;
/** Created by the migrations (so the app never runs DDL at run time). */
export const THROTTLE_TABLE = 'password_failure_counters';

export type ThrottleVerdict =
  | { allowed: true }
  /** `crossed`: this attempt was the first over a limit (worth one security event, not each). */
  | { allowed: false; retryAfterSeconds: number; crossed: boolean };

/**
 * Every attempt is counted *before* its password is checked, atomically (an upsert), and given
 * back when the password was right. Checking first and counting failures afterwards would let
 * a burst of parallel guesses all pass the check before any of them was counted.
 */
export interface PasswordThrottle {
  /** Counts an attempt for (email, IP) and the IP; refused when either is over its limit. */
  begin(email: string, ip: string | null): Promise<ThrottleVerdict>;
  /** The password was right: the (email, IP) count starts over and the IP's attempt is returned. */
  succeeded(email: string, ip: string | null): Promise<void>;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error when broken. */
function refusal(
  outcome: PromiseSettledResult<RateLimiterRes>,
  limit: number,
): { retryAfterSeconds: number; crossed: boolean } {
  if (outcome.status === 'fulfilled') return { retryAfterSeconds: 0, crossed: false };
  if (outcome.reason instanceof Error) throw outcome.reason;
  const res = outcome.reason as RateLimiterRes;
  return {
    retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    crossed: res.consumedPoints === limit + 1,
  };
}

export function createPasswordThrottle(options: {
  pool: pg.Pool;
  maxFailuresPerEmailAndIp: number;
  maxFailuresPerIp?: number;
}): PasswordThrottle {
  const limiter = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterPostgres({
      storeClient: options.pool,
      storeType: 'pool',
      tableName: THROTTLE_TABLE,
      tableCreated: true,
      keyPrefix,
      points,
      duration,
    });
  const byEmailAndIp = limiter(
    'email-ip',
    options.maxFailuresPerEmailAndIp,
    EMAIL_IP_WINDOW_SECONDS,
  );
  const byIp = limiter('ip', options.maxFailuresPerIp ?? IP_MAX_FAILURES, IP_WINDOW_SECONDS);
  const keys = (email: string, ip: string | null) => {
    const address = ip ?? 'unknown';
    return { emailAndIp: digest(email, address), ip: digest(address) };
  };

  return {
    async begin(email, ip) {
      const key = keys(email, ip);
      const [pair, address] = await Promise.allSettled([
        byEmailAndIp.consume(key.emailAndIp),
        byIp.consume(key.ip),
      ]);
      const refusals = [refusal(pair, byEmailAndIp.points), refusal(address, byIp.points)];
      const retryAfterSeconds = Math.max(...refusals.map((r) => r.retryAfterSeconds));
      if (retryAfterSeconds === 0) return { allowed: true };
      return { allowed: false, retryAfterSeconds, crossed: refusals.some((r) => r.crossed) };
    },
    async succeeded(email, ip) {
      const key = keys(email, ip);
      await Promise.all([byEmailAndIp.delete(key.emailAndIp), byIp.reward(key.ip)]);
    },
  };
}
