// The refresh-token cookie of contract section 7 as text: the transport header that asks for
// it, reading it from a Cookie header, and the Set-Cookie that hands it over or clears it. Pure;
// src/http/server.ts applies what a request's resolvers asked for (docs/browser-clients.md).

import type { SameSite } from '../config.ts';
import type { RefreshCookie } from '../graphql/context.ts';

/**
 * `__Host-`: browsers accept it only with Secure, Path=/ and no Domain, so no other host (a
 * sibling subdomain included) and no plain-http page can plant or overwrite it.
 */
export const REFRESH_COOKIE_NAME = '__Host-tessera_refresh';
export const REFRESH_TRANSPORT_HEADER = 'x-tessera-refresh-transport';

/** The value of cookie `name` in a Cookie request header (RFC 6265 §5.4); the first one wins. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    // A cookie-value may be wrapped in double quotes (RFC 6265 §4.1.1).
    return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
      ? value.slice(1, -1)
      : value;
  }
  return undefined;
}

// Tokens are `tsr_` and base64url: nothing in them needs quoting or escaping in a cookie.
const COOKIE_VALUE = /^[A-Za-z0-9_-]*$/;

/** The Set-Cookie value carrying `value` (empty with Max-Age=0 clears the cookie). */
export function serializeRefreshCookie(
  value: string,
  options: { maxAgeSeconds: number; sameSite: SameSite },
): string {
  // The value is a secret: it never goes into the message.
  if (!COOKIE_VALUE.test(value)) throw new Error('refusing to put an unsafe value in a cookie');
  const maxAge = Math.max(0, Math.floor(options.maxAgeSeconds));
  return `${REFRESH_COOKIE_NAME}=${value}; HttpOnly; Secure; Path=/; SameSite=${options.sameSite}; Max-Age=${maxAge}`;
}

/** One request's side of the cookie transport, and the Set-Cookie its resolvers asked for. */
export interface RefreshCookieExchange extends RefreshCookie {
  setCookieHeader(): string | undefined;
}

/**
 * The cookie transport of one request, from its `X-Tessera-Refresh-Transport` and `Cookie`
 * headers; null when the transport header holds anything but `cookie` (a typo must not quietly
 * put the refresh token back into the body, where page scripts can read it).
 */
export function openRefreshCookieExchange(
  headers: { transport: string | undefined; cookie: string | undefined },
  sameSite: SameSite,
): RefreshCookieExchange | null {
  const transport = headers.transport?.trim().toLowerCase() || undefined;
  if (transport !== undefined && transport !== 'cookie') return null;
  const requested = transport === 'cookie';
  let outgoing: string | undefined;
  return {
    requested,
    // Read only under the transport header: a cross-site form or link sends the cookie along
    // but cannot set a custom header, so it can never spend the refresh token.
    presented: requested ? readCookie(headers.cookie, REFRESH_COOKIE_NAME) || undefined : undefined,
    set(refreshToken, maxAgeSeconds) {
      if (requested) outgoing = serializeRefreshCookie(refreshToken, { maxAgeSeconds, sameSite });
    },
    clear() {
      if (requested) outgoing = serializeRefreshCookie('', { maxAgeSeconds: 0, sameSite });
    },
    setCookieHeader: () => outgoing,
  };
}
