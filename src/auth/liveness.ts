// What "a live session" means, in one place: not revoked, before its absolute end
// (SESSION_TTL_SECONDS after the password was entered) and before its idle end
// (REFRESH_TOKEN_TTL_SECONDS after its last refresh or login). The hot path, refresh, the
// session list, revocation counts and pruning all decide with these functions and nothing else.
import { addSeconds } from './clock.ts';
import type { TokenSettings } from './settings.ts';

export interface SessionTimes {
  readonly revoked: boolean;
  readonly expiresAt: Date;
  readonly lastUsedAt: Date;
}

export type SessionState = 'live' | 'revoked' | 'expired';

type IdleSettings = Pick<TokenSettings, 'refreshTokenTtlSeconds'>;

/** When a session that is not refreshed again stops working. */
export function idleEndOf(lastUsedAt: Date, settings: IdleSettings): Date {
  return addSeconds(lastUsedAt, settings.refreshTokenTtlSeconds);
}

/**
 * The instant (epoch ms) an unrevoked session stops being live unless it is refreshed: the
 * first of its two ends. A cached check keeps this one number, so the hot path compares it.
 */
export function liveUntilOf(
  session: Pick<SessionTimes, 'expiresAt' | 'lastUsedAt'>,
  settings: IdleSettings,
): number {
  return Math.min(session.expiresAt.getTime(), idleEndOf(session.lastUsedAt, settings).getTime());
}

export function sessionState(
  session: SessionTimes,
  settings: IdleSettings,
  now: Date,
): SessionState {
  if (session.revoked) return 'revoked';
  return liveUntilOf(session, settings) <= now.getTime() ? 'expired' : 'live';
}

/** The same rule as bounds on stored columns: live iff not revoked, expires_at > now, last_used_at > idleCutoff. */
export function liveBounds(settings: IdleSettings, now: Date) {
  return { now, lastUsedAfter: addSeconds(now, -settings.refreshTokenTtlSeconds) };
}

/**
 * The same rule for a hand-written prepared statement (whose text must not vary): SQL true for
 * a live row of `sessions` under `alias`, with liveBounds' `now` at parameter `$nowParam` and
 * `lastUsedAfter` at `$lastUsedAfterParam`.
 */
export function liveSessionSql(
  alias: string,
  params: { now: number; lastUsedAfter: number },
): string {
  return `(${alias}.revoked_at is null and ${alias}.expires_at > $${params.now} and ${alias}.last_used_at > $${params.lastUsedAfter})`;
}

/** An ORM filter for the live sessions (of one user, or one session of theirs). */
export function liveSessionFilter(settings: IdleSettings, now: Date) {
  const bounds = liveBounds(settings, now);
  return {
    revokedAt: null,
    expiresAt: { $gt: bounds.now },
    lastUsedAt: { $gt: bounds.lastUsedAfter },
  } as const;
}

/**
 * SQL that is true for a row of `sessions` that is before both of its ends, with its two
 * parameters; live is that and `revoked_at is null`. For statements that must say it themselves
 * (revocation counts how many of the sessions it ended were live).
 */
export function unendedSessionSql(
  settings: IdleSettings,
  now: Date,
): { sql: string; params: Date[] } {
  const bounds = liveBounds(settings, now);
  return {
    sql: '(expires_at > ? and last_used_at > ?)',
    params: [bounds.now, bounds.lastUsedAfter],
  };
}

/** SQL true for a session that stopped being live before `before` (for pruning), and its parameters. */
export function endedBeforeSql(
  settings: IdleSettings,
  before: Date,
  sessionAlias?: string,
): { sql: string; params: Date[] } {
  const column = (name: string) => (sessionAlias ? `${sessionAlias}.${name}` : name);
  return {
    sql: `(${column('revoked_at')} < ? or ${column('expires_at')} < ? or ${column('last_used_at')} < ?)`,
    params: [before, before, addSeconds(before, -settings.refreshTokenTtlSeconds)],
  };
}

/** Why a session was revoked (`sessions.revoked_reason`), keyed by the security event that records it. */
export const REVOKE_REASONS = {
  LOGOUT: 'LOGOUT',
  SESSION_REVOKED: 'REVOKED_BY_USER',
  ALL_SESSIONS_REVOKED: 'ALL_SESSIONS_REVOKED',
  REFRESH_TOKEN_REUSE: 'REFRESH_TOKEN_REUSE',
  EMAIL_CHANGED: 'EMAIL_CHANGED',
  PASSWORD_CHANGED: 'PASSWORD_CHANGED',
  ACCOUNT_DISABLED: 'ACCOUNT_DISABLED',
  ACCOUNT_DELETED: 'ACCOUNT_DELETED',
} as const;
