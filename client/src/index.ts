// @tessera/client: the typed documents of the whole contract, the client and its token manager.
export { createTesseraClient, type TesseraClient, type TesseraClientOptions } from './client.ts';
export {
  isUnauthenticated,
  type TesseraErrorEntry,
  TesseraGraphQLError,
  TesseraNetworkError,
} from './errors.ts';
export * from './generated/graphql.ts';
export type { RefreshTransport } from './http-transport.ts';
export {
  DEFAULT_STORAGE_KEY,
  indexedDbStore,
  type KeyValueStorage,
  keyValueStore,
  localStorageStore,
  memoryStore,
  type SessionStore,
  type StoredSession,
} from './session-store.ts';
export { withTabLock } from './tab-lock.ts';
export {
  type IssuedTokens,
  type SignedOutEvent,
  type SignOutReason,
  TokenManager,
} from './token-manager.ts';
