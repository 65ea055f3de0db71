// The refresh-cookie transport (contract section 7) over real HTTP, and why a cross-site page
// cannot use the cookie: docs/browser-clients.md.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import {
  AUTH_FIELDS,
  type Auth,
  errorOf,
  type GraphQLResult,
  me,
  must,
  PASSWORD,
  refresh,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
  useTestApp,
} from './harness.ts';

const lines: string[] = [];
const app = useTestApp({
  logger: createLogger('trace', { write: (line: string) => void lines.push(line) }),
});

const TRANSPORT = { 'x-tessera-refresh-transport': 'cookie' };
const NAME = '__Host-tessera_refresh';
const ATTRIBUTES = 'HttpOnly; Secure; Path=/; SameSite=Strict';
const CLEARED = `${NAME}=; ${ATTRIBUTES}; Max-Age=0`;

const SIGN_UP = `mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { ${AUTH_FIELDS} } }`;
const REFRESH_FROM_COOKIE = `mutation { refreshToken { ${AUTH_FIELDS} } }`;
const REVOKE_ALL = `mutation($pw: String) { revokeAllTokens(currentPassword: $pw) { revokedSessionCount auth { ${AUTH_FIELDS} } } }`;

/** The request headers of a browser that holds `token` in the cookie and asks for the transport. */
function holding(token: string, transport = true): Record<string, string> {
  return { ...(transport && TRANSPORT), cookie: `theme=dark; ${NAME}=${token}` };
}

/** The one Set-Cookie of a response, if any. */
function setCookieOf(result: { headers: Headers }): string | undefined {
  const all = result.headers.getSetCookie();
  expect(all.length).toBeLessThanOrEqual(1);
  return all[0];
}

/** The refresh token a Set-Cookie hands over, checking its exact attributes and lifetime. */
function cookieToken(result: GraphQLResult, maxAgeSeconds: number, sameSite = 'Strict'): string {
  const match = new RegExp(
    `^${NAME}=(tsr_[A-Za-z0-9_-]+); HttpOnly; Secure; Path=/; SameSite=${sameSite}; Max-Age=(\\d+)$`,
  ).exec(setCookieOf(result) ?? '');
  expect(match, setCookieOf(result)).not.toBeNull();
  expect(Number(match?.[2])).toBe(maxAgeSeconds);
  return match?.[1] as string;
}

/** Seconds from the app's clock to a payload's refreshTokenExpiresAt. */
function secondsUntilRefreshExpiry(target: TestApp, payload: Auth): number {
  return Math.floor(
    (new Date(payload.refreshTokenExpiresAt).getTime() - target.clock.now().getTime()) / 1000,
  );
}

/** Signs up with the cookie transport: the payload, and the refresh token from the cookie. */
async function signUpWithCookie(target: TestApp = app): Promise<{ auth: Auth; cookie: string }> {
  const result = await target.gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, TRANSPORT);
  expect(result.errors).toBeUndefined();
  const auth = result.data?.signUp as Auth;
  return { auth, cookie: cookieToken(result, secondsUntilRefreshExpiry(target, auth)) };
}

function refreshFromCookie(token: string, headers = holding(token)) {
  return app.gql(REFRESH_FROM_COOKIE, {}, null, headers);
}

describe('the cookie transport', () => {
  it('signUp hands the refresh token over as a __Host- cookie with the exact attributes, and null in the body', async () => {
    const { auth, cookie } = await signUpWithCookie();
    expect(auth.refreshToken).toBeNull();
    expect(secondsUntilRefreshExpiry(app, auth)).toBe(1_209_600);
    expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    // The cookie's token is a working refresh token.
    const next = await refreshFromCookie(cookie);
    expect(next.errors).toBeUndefined();
    expect(next.data?.refreshToken.session.id).toBe(auth.session.id);
  });

  it('login sets the cookie too, with Max-Age the seconds until refreshTokenExpiresAt', async () => {
    const email = uniqueEmail();
    await signUp(app, email);
    const result = await app.gql(LOGIN, { e: email, p: PASSWORD }, null, TRANSPORT);
    const auth = result.data?.login as Auth;
    expect(auth.refreshToken).toBeNull();
    const token = cookieToken(result, 1_209_600);
    expect(new Date(auth.refreshTokenExpiresAt).getTime() - app.clock.now().getTime()).toBe(
      1_209_600_000,
    );
    expect(token).toMatch(/^tsr_/);
  });

  it('refreshToken without an argument reads the cookie and sets the successor as the cookie', async () => {
    const { auth, cookie } = await signUpWithCookie();
    app.clock.advance(60);
    const result = await refreshFromCookie(cookie);
    const next = result.data?.refreshToken as Auth;
    expect(result.errors).toBeUndefined();
    expect(next.refreshToken).toBeNull();
    expect(next.accessToken).not.toBe(auth.accessToken);
    const successor = cookieToken(result, 1_209_600);
    expect(successor).not.toBe(cookie);
    expect((await me(app, next.accessToken)).data?.me.id).toBe(auth.user.id);
    // The successor rotates in turn.
    app.clock.advance(60);
    expect((await refreshFromCookie(successor)).errors).toBeUndefined();
  });

  it('gives the cookie a Max-Age that stops at the session’s absolute end', async () => {
    const short = await startTestApp({
      settings: { sessionTtlSeconds: 3600, refreshTokenTtlSeconds: 1800 },
    });
    try {
      const { cookie } = await signUpWithCookie(short);
      short.clock.advance(1500);
      const first = await short.gql(REFRESH_FROM_COOKIE, {}, null, holding(cookie));
      const successor = cookieToken(first, 1800);
      short.clock.advance(1500);
      const result = await short.gql(REFRESH_FROM_COOKIE, {}, null, holding(successor));
      expect(result.errors).toBeUndefined();
      // 600 s of the session are left, less than the refresh token's idle lifetime.
      cookieToken(result, 600);
    } finally {
      await short.close();
    }
  });

  it('writes the configured SameSite', async () => {
    const lax = await startTestApp({ refreshCookieSameSite: 'None' });
    try {
      const result = await lax.gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, TRANSPORT);
      expect(result.data?.signUp.refreshToken).toBeNull();
      cookieToken(result, 1_209_600, 'None');
    } finally {
      await lax.close();
    }
  });

  it('a retry of a refresh whose response was lost gets the same pair, and the cookie again', async () => {
    const { cookie } = await signUpWithCookie();
    const first = await refreshFromCookie(cookie);
    const successor = cookieToken(first, 1_209_600);
    // The response never reached the browser, so its cookie jar still holds the spent token.
    app.clock.advance(5);
    const retry = await refreshFromCookie(cookie);
    expect(retry.errors).toBeUndefined();
    expect(retry.data?.refreshToken.accessToken).toBe(first.data?.refreshToken.accessToken);
    expect(retry.data?.refreshToken.refreshToken).toBeNull();
    // The same successor, 5 s closer to its expiry.
    expect(cookieToken(retry, 1_209_595)).toBe(successor);
    expect((await me(app, retry.data?.refreshToken.accessToken)).errors).toBeUndefined();
  });

  it('uses the argument when one is given, under the transport header too', async () => {
    const holder = await signUp(app);
    const other = await signUpWithCookie();
    const result = await app.gql(
      `mutation($t: String) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`,
      { t: holder.refreshToken },
      null,
      holding(other.cookie),
    );
    expect(result.data?.refreshToken.user.id).toBe(holder.user.id);
    expect(result.data?.refreshToken.refreshToken).toBeNull();
    cookieToken(result, 1_209_600);
  });

  it('without the transport header everything is as before: the token in the body, no cookie', async () => {
    const auth = await signUp(app);
    expect(auth.refreshToken).toMatch(/^tsr_/);
    const result = await refresh(app, auth.refreshToken);
    expect(result.data?.refreshToken.refreshToken).toMatch(/^tsr_/);
    expect(setCookieOf(result)).toBeUndefined();
  });

  it('refuses a transport header other than "cookie" with BAD_USER_INPUT, not a body token', async () => {
    const result = await app.gql(SIGN_UP, { e: uniqueEmail(), p: PASSWORD }, null, {
      'x-tessera-refresh-transport': 'cookies',
    });
    expect(result.status).toBe(400);
    expect(errorOf(result)).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'X-Tessera-Refresh-Transport',
    });
    expect(setCookieOf(result)).toBeUndefined();
  });
});

describe('refreshToken() refusals under the cookie transport', () => {
  it('with neither an argument nor a cookie: INVALID_REFRESH_TOKEN (INVALID), and nothing cleared', async () => {
    const bare = await app.gql(REFRESH_FROM_COOKIE);
    expect(errorOf(bare)).toEqual({ code: 'INVALID_REFRESH_TOKEN', reason: 'INVALID' });
    const headerOnly = await app.gql(REFRESH_FROM_COOKIE, {}, null, TRANSPORT);
    expect(errorOf(headerOnly)).toEqual({ code: 'INVALID_REFRESH_TOKEN', reason: 'INVALID' });
    expect(setCookieOf(headerOnly)).toBeUndefined();
  });

  it('ignores the cookie without the transport header, and leaves the token unspent', async () => {
    const { auth, cookie } = await signUpWithCookie();
    const refused = await refreshFromCookie(cookie, holding(cookie, false));
    expect(errorOf(refused)).toEqual({ code: 'INVALID_REFRESH_TOKEN', reason: 'INVALID' });
    expect(setCookieOf(refused)).toBeUndefined();
    // Past the retry window: had the refused request spent it, this would be reuse.
    app.clock.advance(11);
    const later = await refreshFromCookie(cookie);
    expect(later.errors).toBeUndefined();
    expect(later.data?.refreshToken.session.id).toBe(auth.session.id);
  });

  it('reuse after the window clears the cookie (and revokes the session)', async () => {
    const { auth, cookie } = await signUpWithCookie();
    await refreshFromCookie(cookie);
    app.clock.advance(11);
    const replay = await refreshFromCookie(cookie);
    expect(errorOf(replay)).toEqual({ code: 'INVALID_REFRESH_TOKEN', reason: 'REUSED' });
    expect(setCookieOf(replay)).toBe(CLEARED);
    expect(errorOf(await me(app, auth.accessToken))).toMatchObject({ reason: 'REVOKED' });
  });

  it('a revoked session’s cookie is cleared when it is presented', async () => {
    const { auth, cookie } = await signUpWithCookie();
    await must(app, 'mutation { logout }', {}, auth.accessToken); // from another client: no cookie
    const refused = await refreshFromCookie(cookie);
    expect(errorOf(refused)).toEqual({ code: 'INVALID_REFRESH_TOKEN', reason: 'REVOKED' });
    expect(setCookieOf(refused)).toBe(CLEARED);
  });

  it('an expired or unknown token leaves the cookie alone (only a dead session clears it)', async () => {
    const expired = await signUpWithCookie();
    app.clock.advance(1_209_601);
    const late = await refreshFromCookie(expired.cookie);
    expect(errorOf(late)).toEqual({ code: 'INVALID_REFRESH_TOKEN', reason: 'EXPIRED' });
    expect(setCookieOf(late)).toBeUndefined();
    const unknown = await refreshFromCookie('tsr_nonsense');
    expect(errorOf(unknown)).toEqual({ code: 'INVALID_REFRESH_TOKEN', reason: 'INVALID' });
    expect(setCookieOf(unknown)).toBeUndefined();
  });
});

describe('signing out under the cookie transport', () => {
  it('logout clears the cookie, and the cookie’s token is dead', async () => {
    const { auth, cookie } = await signUpWithCookie();
    const result = await app.gql('mutation { logout }', {}, auth.accessToken, holding(cookie));
    expect(result.data?.logout).toBe(true);
    expect(setCookieOf(result)).toBe(CLEARED);
    expect(errorOf(await refreshFromCookie(cookie))).toMatchObject({ reason: 'REVOKED' });
  });

  it('logout without the transport header sets no cookie', async () => {
    const auth = await signUp(app);
    const result = await app.gql('mutation { logout }', {}, auth.accessToken);
    expect(result.data?.logout).toBe(true);
    expect(setCookieOf(result)).toBeUndefined();
  });

  it('a logout that fails (no valid access token) keeps the cookie, so the client can refresh and retry', async () => {
    const { cookie } = await signUpWithCookie();
    const result = await app.gql('mutation { logout }', {}, null, holding(cookie));
    expect(errorOf(result)).toEqual({ code: 'UNAUTHENTICATED', reason: 'MISSING' });
    expect(setCookieOf(result)).toBeUndefined();
  });

  it('revokeAllTokens without a password clears the cookie', async () => {
    const { auth, cookie } = await signUpWithCookie();
    const result = await app.gql(REVOKE_ALL, {}, auth.accessToken, holding(cookie));
    expect(result.data?.revokeAllTokens).toEqual({ revokedSessionCount: 1, auth: null });
    expect(setCookieOf(result)).toBe(CLEARED);
  });

  it('deleteAccount clears the cookie; with a wrong password it keeps it', async () => {
    const { auth, cookie } = await signUpWithCookie();
    const DELETE = 'mutation($pw: String!) { deleteAccount(currentPassword: $pw) }';
    const wrong = await app.gql(
      DELETE,
      { pw: 'not the password' },
      auth.accessToken,
      holding(cookie),
    );
    expect(errorOf(wrong)).toEqual({ code: 'INVALID_CREDENTIALS' });
    expect(setCookieOf(wrong)).toBeUndefined();
    const result = await app.gql(DELETE, { pw: PASSWORD }, auth.accessToken, holding(cookie));
    expect(result.data?.deleteAccount).toBe(true);
    expect(setCookieOf(result)).toBe(CLEARED);
  });

  it('revokeAllTokens with the password sets the new session’s cookie', async () => {
    const { auth, cookie } = await signUpWithCookie();
    const result = await app.gql(REVOKE_ALL, { pw: PASSWORD }, auth.accessToken, holding(cookie));
    const fresh = result.data?.revokeAllTokens.auth as Auth;
    expect(fresh.session.id).not.toBe(auth.session.id);
    expect(fresh.refreshToken).toBeNull();
    const token = cookieToken(result, 1_209_600);
    const next = await refreshFromCookie(token);
    expect(next.data?.refreshToken.session.id).toBe(fresh.session.id);
  });

  it('changePassword hands the new session’s refresh token over as the cookie', async () => {
    const { auth, cookie } = await signUpWithCookie();
    const result = await app.gql(
      `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { ${AUTH_FIELDS} } }`,
      { c: PASSWORD, n: 'another long password' },
      auth.accessToken,
      holding(cookie),
    );
    expect(result.data?.changePassword.refreshToken).toBeNull();
    cookieToken(result, 1_209_600);
  });
});

describe('cross-site requests (CSRF)', () => {
  // What a page on another site can make a browser send without a preflight: a form post or a
  // plain GET, with the user's cookie attached, and no custom header.
  const simple = (cookie: string) => ({ cookie: `${NAME}=${cookie}` });

  async function assertStillSignedIn(auth: Auth, cookie: string): Promise<void> {
    expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    // Past the retry window, so a refresh the attack had spent would now count as reuse.
    app.clock.advance(11);
    const next = await refreshFromCookie(cookie);
    expect(next.errors).toBeUndefined();
  }

  it('a cross-site form post can neither refresh nor sign out', async () => {
    const { auth, cookie } = await signUpWithCookie();
    for (const query of [REFRESH_FROM_COOKIE, 'mutation { logout }', REVOKE_ALL]) {
      for (const [type, body] of [
        ['application/x-www-form-urlencoded', new URLSearchParams({ query }).toString()],
        ['text/plain', JSON.stringify({ query })],
        [
          'multipart/form-data; boundary=x',
          `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${query}\r\n--x--\r\n`,
        ],
      ] as const) {
        const response = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': type, origin: 'https://evil.example', ...simple(cookie) },
          body,
        });
        expect(response.status).toBe(400);
        expect(response.headers.getSetCookie()).toEqual([]);
        expect(await response.text()).not.toContain('tsa_');
      }
    }
    await assertStillSignedIn(auth, cookie);
  });

  it('a cross-site GET (link, image, script tag) cannot refresh or sign out', async () => {
    const { auth, cookie } = await signUpWithCookie();
    for (const query of [REFRESH_FROM_COOKIE, 'mutation { logout }']) {
      const response = await fetch(`${app.url}/graphql?query=${encodeURIComponent(query)}`, {
        headers: simple(cookie),
      });
      expect(response.status).toBe(400);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    await assertStillSignedIn(auth, cookie);
  });
});

it('never writes a refresh token from a cookie or a Set-Cookie into a log line', () => {
  const output = lines.join('');
  expect(lines.length).toBeGreaterThan(50);
  expect(output).not.toMatch(/tsr_|tsa_|__Host-tessera_refresh/);
});
