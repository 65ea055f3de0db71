import { describe, expect, it } from 'vitest';
import {
  openRefreshCookieExchange,
  REFRESH_COOKIE_NAME,
  readCookie,
  serializeRefreshCookie,
} from '../../src/http/refresh-cookie.ts';

const TOKEN = `tsr_${'A'.repeat(43)}abc-_9`;

describe('readCookie', () => {
  it('finds the named cookie among others, trimmed, the first one winning', () => {
    const header = `theme=dark; ${REFRESH_COOKIE_NAME}=${TOKEN};other=1; ${REFRESH_COOKIE_NAME}=late`;
    expect(readCookie(header, REFRESH_COOKIE_NAME)).toBe(TOKEN);
    expect(readCookie('theme=dark', REFRESH_COOKIE_NAME)).toBeUndefined();
    expect(readCookie(undefined, REFRESH_COOKIE_NAME)).toBeUndefined();
  });

  it('does not take a cookie whose name only contains the one asked for', () => {
    expect(readCookie(`x${REFRESH_COOKIE_NAME}=${TOKEN}`, REFRESH_COOKIE_NAME)).toBeUndefined();
    expect(readCookie(`${REFRESH_COOKIE_NAME}x=${TOKEN}`, REFRESH_COOKIE_NAME)).toBeUndefined();
  });

  it('unwraps a double-quoted value and skips pairs without "="', () => {
    expect(readCookie(`junk; ${REFRESH_COOKIE_NAME}="${TOKEN}"`, REFRESH_COOKIE_NAME)).toBe(TOKEN);
  });
});

describe('serializeRefreshCookie', () => {
  it('writes exactly the attributes of contract section 7', () => {
    expect(serializeRefreshCookie(TOKEN, { maxAgeSeconds: 1_209_600, sameSite: 'Strict' })).toBe(
      `__Host-tessera_refresh=${TOKEN}; HttpOnly; Secure; Path=/; SameSite=Strict; Max-Age=1209600`,
    );
    expect(serializeRefreshCookie('', { maxAgeSeconds: 0, sameSite: 'None' })).toBe(
      '__Host-tessera_refresh=; HttpOnly; Secure; Path=/; SameSite=None; Max-Age=0',
    );
  });

  it('never lets the cookie outlive the token: Max-Age rounds down and is never negative', () => {
    expect(serializeRefreshCookie(TOKEN, { maxAgeSeconds: 59.9, sameSite: 'Lax' })).toMatch(
      /; Max-Age=59$/,
    );
    expect(serializeRefreshCookie(TOKEN, { maxAgeSeconds: -3, sameSite: 'Lax' })).toMatch(
      /; Max-Age=0$/,
    );
  });

  it('refuses a value that would break out of the cookie, without repeating it', () => {
    const hostile = 'tsr_x; Domain=evil.example';
    expect(() => serializeRefreshCookie(hostile, { maxAgeSeconds: 1, sameSite: 'Lax' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('evil') }),
    );
  });
});

describe('openRefreshCookieExchange', () => {
  const cookie = `${REFRESH_COOKIE_NAME}=${TOKEN}`;

  it('reads the cookie and sets or clears it only under the transport header', () => {
    const exchange = openRefreshCookieExchange({ transport: ' Cookie ', cookie }, 'Strict');
    expect(exchange?.requested).toBe(true);
    expect(exchange?.presented).toBe(TOKEN);
    expect(exchange?.setCookieHeader()).toBeUndefined();
    exchange?.set(TOKEN, 60);
    expect(exchange?.setCookieHeader()).toMatch(/^__Host-tessera_refresh=tsr_.*; Max-Age=60$/);
    exchange?.clear();
    expect(exchange?.setCookieHeader()).toMatch(/^__Host-tessera_refresh=; .*; Max-Age=0$/);
  });

  it('without the header ignores the cookie and never sets one (everything as before)', () => {
    const exchange = openRefreshCookieExchange({ transport: undefined, cookie }, 'Strict');
    expect(exchange?.requested).toBe(false);
    expect(exchange?.presented).toBeUndefined();
    exchange?.set(TOKEN, 60);
    exchange?.clear();
    expect(exchange?.setCookieHeader()).toBeUndefined();
  });

  it('treats an emptied cookie as none, and refuses any other transport', () => {
    const emptied = `${REFRESH_COOKIE_NAME}=`;
    expect(
      openRefreshCookieExchange({ transport: 'cookie', cookie: emptied }, 'Lax')?.presented,
    ).toBeUndefined();
    expect(openRefreshCookieExchange({ transport: 'cookies', cookie }, 'Lax')).toBeNull();
    expect(openRefreshCookieExchange({ transport: 'cookie, cookie', cookie }, 'Lax')).toBeNull();
  });
});
