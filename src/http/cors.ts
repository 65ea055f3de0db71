// CORS for browser apps (contract section 7): an exact allowlist of origins, credentials
// allowed, preflight answered. With no list there are no CORS headers at all. Pure; the list
// comes validated from CORS_ORIGINS (src/config.ts), in the form browsers send in `Origin`.

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = [
  // What Tessera reads.
  'authorization',
  'content-type',
  'x-tessera-refresh-transport',
  'x-request-id',
  // What Apollo's CSRF prevention accepts as proof that a request was preflighted, and the
  // client identification Apollo Client sends.
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
].join(', ');
// A browser app may read these; the rest of a response's headers stay hidden from it.
const EXPOSED_HEADERS = 'www-authenticate, x-request-id';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

type Headers = Readonly<Record<string, string>>;

export interface CorsPolicy {
  /** The CORS headers of every response to a request with this `Origin`. */
  headersFor(origin: string | undefined): Headers;
  /** The headers of the 204 that answers a preflight from this `Origin`; null when unlisted. */
  preflightFor(origin: string | undefined): Headers | null;
}

export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const listed = new Set(origins);
  if (listed.size === 0) return { headersFor: () => ({}), preflightFor: () => null };
  // Once the answer depends on Origin, every response says so, a refused origin's too: a
  // shared cache must not hand one origin's answer to another.
  const vary = { vary: 'Origin' };
  const allowed = (origin: string) => ({
    ...vary,
    'access-control-allow-origin': origin,
    // The refresh cookie rides on credentialed requests; `*` would not allow them anyway.
    'access-control-allow-credentials': 'true',
  });
  return {
    headersFor(origin) {
      if (origin === undefined || !listed.has(origin)) return vary;
      return { ...allowed(origin), 'access-control-expose-headers': EXPOSED_HEADERS };
    },
    preflightFor(origin) {
      if (origin === undefined || !listed.has(origin)) return null;
      return {
        ...allowed(origin),
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      };
    },
  };
}
