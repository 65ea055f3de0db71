// createTesseraClient: typed operations over fetch, with the token manager attached, the
// refresh transport a platform calls for, and the sessions that operations start or end.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { isUnauthenticated, TesseraGraphQLError } from './errors.ts';
import {
  LoginDocument,
  type LoginMutation,
  type LoginMutationVariables,
  LogoutDocument,
  SignUpDocument,
  type SignUpMutation,
  type SignUpMutationVariables,
} from './generated/graphql.ts';
import {
  createHttpTransport,
  type GraphQLAnswer,
  type RefreshTransport,
} from './http-transport.ts';
import {
  indexedDbStore,
  localStorageStore,
  memoryStore,
  type SessionStore,
} from './session-store.ts';
import { type IssuedTokens, type SignedOutEvent, TokenManager } from './token-manager.ts';

export interface TesseraClientOptions {
  /** The GraphQL endpoint, e.g. `https://api.example.com/graphql`. */
  url: string;
  /**
   * Where the refresh token travels. Default: `cookie` in a browser (an HttpOnly cookie, out of
   * reach of script), `body` elsewhere (Node, React Native), where it is kept in `storage`.
   */
  refreshTransport?: RefreshTransport;
  /**
   * Where the session is kept. Default: IndexedDB in a browser (shared by the tabs of the
   * origin), memory elsewhere. React Native: `keyValueStore(AsyncStorage)`.
   */
  storage?: SessionStore;
  fetch?: typeof globalThis.fetch;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Timeout of one operation (default 30 s). */
  requestTimeoutMs?: number;
  /** Timeout of one refresh attempt (default 3 s). */
  refreshAttemptTimeoutMs?: number;
  /** Retries of a lost refresh start within this long (default 8 s, inside the server's 10 s window). */
  refreshRetryWindowMs?: number;
  /** How long a tab waits for another tab's refresh before refreshing itself (default 5 s). */
  lockTimeoutMs?: number;
  /**
   * Calls `resume` whenever the app returns to the foreground and returns a function that stops.
   * Default in a browser: on focus, on becoming visible and on going online. React Native: pass
   * one built on AppState (see the README).
   */
  onForeground?: (resume: () => void) => () => void;
  /** This device's clock (ms since the epoch). */
  now?: () => number;
}

export interface TesseraClient {
  /** The token manager (for the Apollo and urql adapters). */
  readonly tokens: TokenManager;
  /** Where the refresh token travels; the adapters send what the cookie transport needs. */
  readonly refreshTransport: RefreshTransport;
  /** This device's clock (the `now` option): what `followSession`'s `sentAtMs` is counted on. */
  now(): number;
  /**
   * Starts or ends the local session as the operation that answered did on the server: adopts
   * the AuthPayload of signUp, login, changeEmail, changePassword and
   * revokeAllTokens(currentPassword); signs out after logout, deleteAccount and a password-less
   * revokeAllTokens. `request` does it for its own answers; the adapters for theirs. `sentAtMs`
   * is when the request was sent, on `now()`: the new access token's life counts from it.
   */
  followSession(data: unknown, sentAtMs: number): Promise<void>;
  /**
   * Runs one operation with the current access token; resolves with its data, or rejects with
   * a TesseraGraphQLError or a TesseraNetworkError. An answer that the token did not
   * authenticate is followed by one refresh and one retry, never more.
   */
  request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    // Variables may be left out when none is required.
    ...variables: Record<string, never> extends TVariables ? [] | [TVariables] : [TVariables]
  ): Promise<TData>;
  signUp(variables: SignUpMutationVariables): Promise<SignUpMutation['signUp']>;
  login(variables: LoginMutationVariables): Promise<LoginMutation['login']>;
  /** Revokes the session on the server and forgets it here. */
  logout(): Promise<void>;
  onSignedOut(listener: (event: SignedOutEvent) => void): () => void;
  /** Stops the foreground and storage listeners. */
  dispose(): void;
}

const isBrowser = () => typeof document !== 'undefined' && typeof window !== 'undefined';

function browserForeground(resume: () => void): () => void {
  const onVisible = () => {
    if (document.visibilityState === 'visible') resume();
  };
  document.addEventListener('visibilitychange', onVisible);
  window.addEventListener('focus', resume);
  window.addEventListener('online', resume);
  return () => {
    document.removeEventListener('visibilitychange', onVisible);
    window.removeEventListener('focus', resume);
    window.removeEventListener('online', resume);
  };
}

/** IndexedDB in a browser (localStorage where there is none, as in some private modes), else memory. */
function defaultStore(browser: boolean): SessionStore {
  if (!browser) return memoryStore();
  if (typeof indexedDB !== 'undefined') return indexedDbStore();
  return typeof localStorage === 'undefined' ? memoryStore() : localStorageStore();
}

/** Root fields whose payload starts a session (and, for some, ends every other one). */
const SESSION_STARTERS = ['signUp', 'login', 'refreshToken', 'changeEmail', 'changePassword'];

export function createTesseraClient(options: TesseraClientOptions): TesseraClient {
  const browser = isBrowser();
  const refreshTransport = options.refreshTransport ?? (browser ? 'cookie' : 'body');
  const now = options.now ?? Date.now;
  const transport = createHttpTransport({
    url: options.url,
    refreshTransport,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    timeoutMs: options.requestTimeoutMs ?? 30_000,
    ...(options.headers && { headers: options.headers }),
  });
  const tokens = new TokenManager({
    transport,
    refreshTransport,
    store: options.storage ?? defaultStore(browser),
    lockName: `tessera-refresh ${options.url}`,
    lockTimeoutMs: options.lockTimeoutMs ?? 5000,
    refreshAttemptTimeoutMs: options.refreshAttemptTimeoutMs ?? 3000,
    refreshRetryWindowMs: options.refreshRetryWindowMs ?? 8000,
    now,
  });
  const onForeground = options.onForeground ?? (browser ? browserForeground : undefined);
  const stopForeground = onForeground?.(() => tokens.resume());

  /** Starts or ends the local session as the operation that answered did on the server. */
  async function followSession(data: unknown, sentAtMs: number): Promise<void> {
    if (!data || typeof data !== 'object') return;
    const root = data as Record<string, unknown>;
    for (const field of SESSION_STARTERS) {
      const payload = root[field] as IssuedTokens | null | undefined;
      if (payload?.accessToken) await tokens.adopt(payload, sentAtMs);
    }
    if ('revokeAllTokens' in root) {
      const auth = (root.revokeAllTokens as { auth?: IssuedTokens | null } | null)?.auth;
      // Without a password revokeAllTokens signs the caller out too (contract §3.8).
      if (auth?.accessToken) await tokens.adopt(auth, sentAtMs);
      else await tokens.signOut('LOGOUT');
    }
    if (root.logout === true || root.deleteAccount === true) await tokens.signOut('LOGOUT');
  }

  async function request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
  ): Promise<TData> {
    const token = await tokens.accessToken();
    let sentAtMs = now();
    let answer: GraphQLAnswer<TData> = await transport.post(document, variables, token);
    if (token && isUnauthenticated(answer.errors)) {
      // Expired early by the server's clock, or refreshed elsewhere: refresh (or take the newer
      // token) and retry exactly once. A second refusal is the answer (no loop, unlike urql#3112).
      const fresh = await tokens.refresh(token);
      if (fresh) {
        sentAtMs = now();
        answer = await transport.post(document, variables, fresh);
      }
    }
    await followSession(answer.data, sentAtMs);
    if (answer.errors?.length) throw new TesseraGraphQLError(answer.errors);
    return answer.data as TData;
  }

  return {
    tokens,
    refreshTransport,
    now,
    followSession,
    request: request as TesseraClient['request'],
    async signUp(variables) {
      return (await request(SignUpDocument, variables)).signUp;
    },
    async login(variables) {
      return (await request(LoginDocument, variables)).login;
    },
    async logout() {
      try {
        await request(LogoutDocument);
      } finally {
        // Forget the session even when the server could not be told: the user asked to leave.
        if (await tokens.session()) await tokens.signOut('LOGOUT');
      }
    },
    onSignedOut: (listener) => tokens.onSignedOut(listener),
    dispose() {
      stopForeground?.();
      tokens.dispose();
    },
  };
}
