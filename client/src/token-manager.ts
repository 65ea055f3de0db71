// The session's tokens over time: which access token to send now, when to refresh, one refresh
// at a time (per tab, and across tabs), retries that cannot log anyone out, and sign-out only when
// the server says the refresh token is dead.
import { type TesseraErrorEntry, TesseraGraphQLError, TesseraNetworkError } from './errors.ts';
import { RefreshTokenDocument } from './generated/graphql.ts';
import type { HttpTransport, RefreshTransport } from './http-transport.ts';
import type { SessionStore, StoredSession } from './session-store.ts';
import { withTabLock } from './tab-lock.ts';

/**
 * Why a session ended: `LOGOUT` the app's own doing (logout, revokeAllTokens without a
 * password); `ELSEWHERE` another tab signed out; otherwise the INVALID_REFRESH_TOKEN reason the
 * server gave (`INVALID`, `EXPIRED`, `REVOKED`, `REUSED`).
 */
export type SignOutReason = 'LOGOUT' | 'ELSEWHERE' | 'INVALID' | 'EXPIRED' | 'REVOKED' | 'REUSED';

export interface SignedOutEvent {
  reason: SignOutReason;
}

/** The fields of an AuthPayload the manager keeps. */
export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string | null;
  user: { id: string };
  session: { id: string };
}

export interface TokenManagerOptions {
  transport: HttpTransport;
  refreshTransport: RefreshTransport;
  store: SessionStore;
  /** The Web Lock the tabs of an origin share for refreshing. */
  lockName: string;
  /** How long a tab waits for that lock before refreshing without it. */
  lockTimeoutMs: number;
  /** Each refresh attempt's timeout. */
  refreshAttemptTimeoutMs: number;
  /**
   * Retries of a refresh start within this long of its first attempt. It must stay inside the
   * server's REFRESH_REUSE_GRACE_SECONDS (default 10 s): within it a retry gets the same pair,
   * after it a retry of a token whose answer was lost is reuse, and reuse revokes the session.
   */
  refreshRetryWindowMs: number;
  /** This device's clock, in ms since the epoch. */
  now: () => number;
}

/** The longest margin before expiry at which the manager refreshes. */
const MAX_REFRESH_MARGIN_MS = 60_000;
const FIRST_RETRY_DELAY_MS = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TokenManager {
  readonly #options: TokenManagerOptions;
  /** The session as this tab last read or wrote it; undefined until the store has been read. */
  #session: StoredSession | null | undefined;
  #refreshing: Promise<string | null> | undefined;
  readonly #listeners = new Set<(event: SignedOutEvent) => void>();
  readonly #unsubscribe: (() => void) | undefined;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#unsubscribe = options.store.subscribe?.(() => {
      void this.#reloadAfterOutsideChange();
    });
  }

  /** Listens for the end of the session; returns the function that stops listening. */
  onSignedOut(listener: (event: SignedOutEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The current session (read from the store on first use), or null when signed out. */
  async session(): Promise<StoredSession | null> {
    if (this.#session === undefined) this.#session = await this.#options.store.get();
    return this.#session;
  }

  /** The access token as last known, without reading the store or refreshing (urql needs it synchronously). */
  currentAccessToken(): string | null {
    return this.#session?.accessToken ?? null;
  }

  /** Whether the next operation should wait for a refresh first. */
  isRefreshDue(): boolean {
    const session = this.#session;
    return session != null && this.#options.now() >= session.refreshAtMs;
  }

  /**
   * The access token to send now, refreshed first when it is within its margin of expiry.
   * Judged here, at request time, on the local clock: a timer set for the refresh would have
   * stalled while the laptop slept or the phone was in a pocket, and served an expired token.
   */
  async accessToken(): Promise<string | null> {
    const session = await this.session();
    if (!session) return null;
    if (this.#options.now() >= session.refreshAtMs) return this.refresh();
    return session.accessToken;
  }

  /**
   * Refreshes, once for every caller that asks while a refresh is running (single flight).
   * `rejected` is the access token a server has just refused: when the session has already
   * moved past it (another caller or tab refreshed), the newer token is returned with no call.
   * Resolves with the new access token, or null when the session has ended; rejects with a
   * TesseraNetworkError when the server could not be reached within the retry window (the
   * session is kept: being offline is not a reason to sign out).
   */
  refresh(rejected?: string): Promise<string | null> {
    if (!this.#refreshing) {
      this.#refreshing = this.#refreshUnderLock(rejected).finally(() => {
        this.#refreshing = undefined;
      });
    }
    return this.#refreshing;
  }

  /** Called when the app comes back to the foreground: refresh now if it is due. */
  resume(): void {
    if (this.isRefreshDue()) this.refresh().catch(() => {});
  }

  /** Starts using the tokens of an AuthPayload that a request sent at `sentAtMs` received. */
  async adopt(tokens: IssuedTokens, sentAtMs: number): Promise<void> {
    const lifetimeMs = tokens.expiresIn * 1000;
    // Expiry on this device's clock, from the token's lifetime and when the request left: the
    // server's accessTokenExpiresAt would be off by any clock skew, and the receipt time by the
    // request's latency. The margin grows with the lifetime: a fifth of it, at most a minute.
    const marginMs = Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 5);
    const session: StoredSession = {
      accessToken: tokens.accessToken,
      refreshToken: this.#options.refreshTransport === 'body' ? tokens.refreshToken : null,
      accessTokenExpiresAtMs: sentAtMs + lifetimeMs,
      refreshAtMs: sentAtMs + lifetimeMs - marginMs,
      userId: tokens.user.id,
      sessionId: tokens.session.id,
    };
    this.#session = session;
    await this.#options.store.set(session);
  }

  /** Ends the session locally (the server side is the caller's business) and tells listeners. */
  async signOut(reason: SignOutReason): Promise<void> {
    this.#session = null;
    await this.#options.store.clear();
    this.#emit(reason);
  }

  /** Stops listening to the store. */
  dispose(): void {
    this.#unsubscribe?.();
    this.#listeners.clear();
  }

  #emit(reason: SignOutReason): void {
    for (const listener of this.#listeners) listener({ reason });
  }

  async #reloadAfterOutsideChange(): Promise<void> {
    const before = this.#session;
    this.#session = await this.#options.store.get();
    if (before && !this.#session) this.#emit('ELSEWHERE');
  }

  async #refreshUnderLock(rejected: string | undefined): Promise<string | null> {
    const { lockName, lockTimeoutMs, store, now } = this.#options;
    return withTabLock(lockName, lockTimeoutMs, async () => {
      // The shared store is the truth: while this tab waited for the lock, another may have
      // refreshed (its pair is here, and ours is spent) or signed out.
      const before = this.#session;
      const stored = await store.get();
      this.#session = stored;
      if (!stored) {
        if (before) this.#emit('ELSEWHERE');
        return null;
      }
      if (now() < stored.refreshAtMs && stored.accessToken !== rejected) return stored.accessToken;
      return this.#rotate(stored);
    });
  }

  /** Spends the stored refresh token, retrying what the network loses. */
  async #rotate(stored: StoredSession): Promise<string | null> {
    const { transport, refreshTransport, refreshAttemptTimeoutMs, refreshRetryWindowMs, now } =
      this.#options;
    const firstSentAt = now();
    // The cookie transport sends no argument: the browser attaches the HttpOnly cookie.
    const variables = refreshTransport === 'body' ? { refreshToken: stored.refreshToken } : {};
    for (let attempt = 0; ; attempt += 1) {
      let failure: Error;
      try {
        const answer = await transport.post(RefreshTokenDocument, variables, null, {
          timeoutMs: refreshAttemptTimeoutMs,
        });
        const tokens = answer.data?.refreshToken;
        if (tokens) {
          // A retry's answer may be the pair the first attempt was given: date it from then.
          await this.adopt(tokens, firstSentAt);
          return tokens.accessToken;
        }
        const refused = refusal(answer.errors);
        if (refused) return await this.#endOrAdoptSibling(stored, refused);
        // SERVICE_UNAVAILABLE or an internal error says nothing about the refresh token.
        failure = new TesseraGraphQLError(answer.errors ?? []);
      } catch (error) {
        if (!(error instanceof TesseraNetworkError)) throw error;
        failure = error;
      }
      // Retrying is safe: within the server's retry window the same token gets the same pair,
      // whether or not the lost attempt reached it. Past this window the session is kept and
      // the next operation tries again; never a sign-out for a network failure.
      const delayMs = FIRST_RETRY_DELAY_MS * 2 ** attempt * (0.75 + Math.random() / 2);
      if (now() + delayMs - firstSentAt > refreshRetryWindowMs) throw failure;
      await sleep(delayMs);
    }
  }

  /**
   * The server refused the refresh token. REUSED is the answer both to a stale copy (a sibling
   * tab spent it and stored the successor; nothing was revoked) and after a theft revocation, so
   * first look for a sibling's newer pair in the shared store; only without one, sign out.
   */
  async #endOrAdoptSibling(
    presented: StoredSession,
    reason: SignOutReason,
  ): Promise<string | null> {
    const latest = await this.#options.store.get();
    if (latest && latest.accessToken !== presented.accessToken) {
      this.#session = latest;
      return latest.accessToken;
    }
    await this.signOut(reason);
    return null;
  }
}

const REFUSAL_REASONS: ReadonlySet<string> = new Set(['INVALID', 'EXPIRED', 'REVOKED', 'REUSED']);

/** The reason of an INVALID_REFRESH_TOKEN answer, the only answer that ends a session. */
function refusal(errors: readonly TesseraErrorEntry[] | undefined): SignOutReason | undefined {
  const error = errors?.find((entry) => entry.extensions?.code === 'INVALID_REFRESH_TOKEN');
  if (!error) return undefined;
  const reason = String(error.extensions?.reason);
  return (REFUSAL_REASONS.has(reason) ? reason : 'INVALID') as SignOutReason;
}
