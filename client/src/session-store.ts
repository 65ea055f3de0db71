// Where the token manager keeps the session between requests, tabs and app starts: a small
// interface with three implementations (memory, localStorage, any async key-value store).

/** What the token manager stores: never the server's clock, only times on the local one. */
export interface StoredSession {
  accessToken: string;
  /**
   * The refresh token, for the body transport. Null with the cookie transport: the browser
   * holds it in an HttpOnly cookie that no script can read.
   */
  refreshToken: string | null;
  /** Local time (ms since the epoch, this device's clock) at which the access token dies. */
  accessTokenExpiresAtMs: number;
  /** Local time from which the manager refreshes before using the access token. */
  refreshAtMs: number;
  userId: string;
  sessionId: string;
}

/**
 * A store for one session. Every method may return a promise (React Native's AsyncStorage);
 * `subscribe`, when given, reports changes made by someone else (another tab).
 */
export interface SessionStore {
  get(): StoredSession | null | Promise<StoredSession | null>;
  set(session: StoredSession): void | Promise<void>;
  clear(): void | Promise<void>;
  subscribe?(onChange: () => void): () => void;
}

/** Keeps the session in this JavaScript realm only: gone on reload, not shared with other tabs. */
export function memoryStore(): SessionStore {
  let current: StoredSession | null = null;
  return {
    get: () => current,
    set: (session) => {
      current = session;
    },
    clear: () => {
      current = null;
    },
  };
}

/** The minimal shape of `window.localStorage` and of React Native's AsyncStorage. */
export interface KeyValueStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

export const DEFAULT_STORAGE_KEY = 'tessera.session';

function parseSession(text: string | null): StoredSession | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<StoredSession>;
    // A value written by something else (or an older version) is no session rather than a crash.
    if (typeof value.accessToken !== 'string' || typeof value.accessTokenExpiresAtMs !== 'number') {
      return null;
    }
    return value as StoredSession;
  } catch {
    return null;
  }
}

/**
 * Any string key-value store, synchronous or not: `keyValueStore(AsyncStorage)` in React
 * Native, or an encrypted store of your own.
 */
export function keyValueStore(storage: KeyValueStorage, key = DEFAULT_STORAGE_KEY): SessionStore {
  return {
    get: async () => parseSession(await storage.getItem(key)),
    set: (session) => storage.setItem(key, JSON.stringify(session)),
    clear: () => storage.removeItem(key),
  };
}

/**
 * `window.localStorage`, shared by every tab of the origin; other tabs' writes arrive through the
 * `storage` event. Synchronous, so a tab reads a sibling's newer tokens without waiting.
 */
export function localStorageStore(key = DEFAULT_STORAGE_KEY): SessionStore {
  const storage = globalThis.localStorage;
  return {
    get: () => parseSession(storage.getItem(key)),
    set: (session) => storage.setItem(key, JSON.stringify(session)),
    clear: () => storage.removeItem(key),
    subscribe(onChange) {
      const listener = (event: StorageEvent) => {
        if (event.key === key || event.key === null) onChange();
      };
      globalThis.addEventListener('storage', listener);
      return () => globalThis.removeEventListener('storage', listener);
    },
  };
}
