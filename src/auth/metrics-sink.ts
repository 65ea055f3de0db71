// What the token lifecycle reports as it happens, for an operator's metrics. The domain only
// calls this interface; src/metrics.ts keeps the numbers (prom-client) and the default does
// nothing, so the domain stays free of any metrics library. Every value passed is one of a
// small closed set (an outcome, a reason, a kind): never an id, an email or a token.
import { AppError, type ErrorCode, type RefreshTokenProblem } from '../errors.ts';
import type { AuthDeps } from './deps.ts';
import type { RateLimitKind } from './throttle.ts';

/** How a login ended: tokens issued, or the contract code it was refused with. */
export type LoginOutcome = 'success' | Lowercase<ErrorCode> | 'error';

/** How a refresh ended: a pair handed out (rotated or retried), or why not. */
export type RefreshOutcome = 'success' | Lowercase<RefreshTokenProblem> | 'error';

/**
 * A spent refresh token came back. Within the retry window it gets the same successor
 * (`retry_answered`) unless that was spent too (`retry_refused`); after it, the whole session
 * is revoked (`session_revoked`, contract rule 6).
 */
export type RefreshTokenReuseOutcome = 'retry_answered' | 'retry_refused' | 'session_revoked';

/** What an access-token check found in this instance's cache (`bypass`: it may not serve). */
export type TokenCacheLookup = 'hit' | 'miss' | 'bypass';

/** What a drop of cached checks covered: revoked sessions, every session of users, or all. */
export type TokenCacheInvalidation = 'sessions' | 'users' | 'all';

export interface AuthMetrics {
  login(outcome: LoginOutcome): void;
  refresh(outcome: RefreshOutcome): void;
  refreshTokenReuse(outcome: RefreshTokenReuseOutcome): void;
  /** `count` live sessions ended, for `reason` (REVOKE_REASONS), once the revocation committed. */
  sessionsRevoked(reason: string, count: number): void;
  /** An attempt refused by a limit of contract section 5. */
  rateLimited(limit: RateLimitKind): void;
  tokenCacheLookup(result: TokenCacheLookup): void;
  tokenCacheInvalidated(scope: TokenCacheInvalidation): void;
}

const nothing = () => {};

export const noAuthMetrics: AuthMetrics = {
  login: nothing,
  refresh: nothing,
  refreshTokenReuse: nothing,
  sessionsRevoked: nothing,
  rateLimited: nothing,
  tokenCacheLookup: nothing,
  tokenCacheInvalidated: nothing,
};

/** The sink of `deps`, or one that does nothing. */
export function metricsOf(deps: Pick<AuthDeps, 'metrics'>): AuthMetrics {
  return deps.metrics ?? noAuthMetrics;
}

/** The login/refresh outcome an error stands for: its contract code, else `error`. */
export function outcomeOfError(error: unknown): Lowercase<ErrorCode> | 'error' {
  return error instanceof AppError ? (error.code.toLowerCase() as Lowercase<ErrorCode>) : 'error';
}
