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

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface PasswordThrottle {
  /** Whether another password attempt for this (email, IP) may be checked now. */
  check(email: string, ip: string | null): Promise<ThrottleVerdict>;
  recordFailure(email: string, ip: string | null): Promise<void>;
  /** A correct password clears the (email, IP) count; the IP's daily count stands. */
  recordSuccess(email: string, ip: string | null): Promise<void>;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
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
  const exhausted = (res: RateLimiterRes | null, points: number) =>
    res && res.consumedPoints >= points ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;

  return {
    async check(email, ip) {
      const key = keys(email, ip);
      const [pair, address] = await Promise.all([
        byEmailAndIp.get(key.emailAndIp),
        byIp.get(key.ip),
      ]);
      const retryAfterSeconds = Math.max(
        exhausted(pair, byEmailAndIp.points),
        exhausted(address, byIp.points),
      );
      return retryAfterSeconds > 0 ? { allowed: false, retryAfterSeconds } : { allowed: true };
    },
    async recordFailure(email, ip) {
      const key = keys(email, ip);
      // penalty() counts without refusing: check() is where refusals happen.
      await Promise.all([byEmailAndIp.penalty(key.emailAndIp), byIp.penalty(key.ip)]);
    },
    async recordSuccess(email, ip) {
      await byEmailAndIp.delete(keys(email, ip).emailAndIp);
    },
  };
}
