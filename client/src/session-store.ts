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

/** A stored value as a session, or null: something else's (or an older version's) value is no session, not a crash. */
function asSession(value: unknown): StoredSession | null {
  const session = value as Partial<StoredSession> | null | undefined;
  if (typeof session?.accessToken !== 'string' || typeof session.refreshAtMs !== 'number') {
    return null;
  }
  return session as StoredSession;
}

function parseSession(text: string | null): StoredSession | null {
  if (!text) return null;
  try {
    return asSession(JSON.parse(text));
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
 * `storage` event. Not the browser default: Chromium gives each tab a cached copy that other
 * tabs' writes reach asynchronously, so a tab that has just been handed the refresh lock can
 * still read the session its sibling replaced, and refresh a second time (indexedDbStore).
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

const OBJECT_STORE = 'session';
const KEY = 'current';

/**
 * IndexedDB, shared by every tab of the origin: the browser default. Transactions are run by the
 * browser in order, so once a sibling's write has committed (before it lets go of the refresh
 * lock), a read started afterwards sees it; localStorage gives no such promise. Changes are
 * announced to the other tabs on a BroadcastChannel of the same name.
 */
export function indexedDbStore(name = DEFAULT_STORAGE_KEY): SessionStore {
  let database: Promise<IDBDatabase> | undefined;
  const open = () => {
    database ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(OBJECT_STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return database;
  };
  const transact = async (
    mode: IDBTransactionMode,
    action: (store: IDBObjectStore) => IDBRequest,
  ): Promise<unknown> => {
    const transaction = (await open()).transaction(OBJECT_STORE, mode);
    const request = action(transaction.objectStore(OBJECT_STORE));
    // Resolved on commit, not on the request's success: only then can another tab read it.
    return new Promise((resolve, reject) => {
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  };
  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(name);
  const announce = () => channel?.postMessage('changed');
  return {
    get: async () => asSession(await transact('readonly', (store) => store.get(KEY))),
    async set(session) {
      await transact('readwrite', (store) => store.put(session, KEY));
      announce();
    },
    async clear() {
      await transact('readwrite', (store) => store.delete(KEY));
      announce();
    },
    subscribe(onChange) {
      // A BroadcastChannel does not deliver a tab's own messages back to it.
      channel?.addEventListener('message', onChange);
      return () => channel?.removeEventListener('message', onChange);
    },
  };
}
