// The token manager against the real server: refresh before and after expiry, single flight,
// lost answers retried into the same pair, and sign-out only when the refresh token is dead.
import { describe, expect, test } from 'vitest';
import {
  MeDocument,
  memoryStore,
  type SessionStore,
  TesseraNetworkError,
} from '../../client/src/index.ts';
import { refresh } from '../integration/harness.ts';
import { ACCESS_TTL_SECONDS, clientFor, signedInClient, useClientTestApp } from './harness.ts';

const env = useClientTestApp();

/** The operations the server answered since `from` (a length of `env.proxy.operations`). */
const since = (from: number) => env.proxy.operations.slice(from).map((operation) => operation.name);

describe('refreshing', () => {
  test('a token within its margin is refreshed before the operation, by the client clock an hour off the server', async () => {
    const { tessera, email } = await signedInClient(env, { skewMs: 3_600_000 });
    const first = tessera.tokens.currentAccessToken();
    env.app.clock.advance(ACCESS_TTL_SECONDS - 5); // inside the margin, not yet expired
    const from = env.proxy.operations.length;
    const { me } = await tessera.request(MeDocument);
    expect(me.email).toBe(email);
    // The refresh went first: no operation was sent with a token about to die.
    expect(since(from)).toEqual(['RefreshToken', 'Me']);
    expect(tessera.tokens.currentAccessToken()).not.toBe(first);
  });

  test('an operation refused as expired by the server is refreshed and retried once', async () => {
    // The server's clock runs ahead of the client's (or the device slept): only it moves.
    const clientNow = env.app.clock.now().getTime();
    const { tessera, email, signedOut } = await signedInClient(env, { now: () => clientNow });
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    const from = env.proxy.operations.length;
    const { me } = await tessera.request(MeDocument);
    expect(me.email).toBe(email);
    expect(since(from)).toEqual(['Me', 'RefreshToken', 'Me']);
    expect(signedOut).toEqual([]);
  });

  test('an operation refused because the session was revoked elsewhere: one refresh, signed out, no loop', async () => {
    const { tessera, signedOut } = await signedInClient(env);
    // The session dies on the server (signed out on another device); the client does not know.
    const stored = await tessera.tokens.session();
    await env.app.gql('mutation { logout }', {}, stored?.accessToken);
    const from = env.proxy.operations.length;
    await expect(tessera.request(MeDocument)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(since(from)).toEqual(['Me', 'RefreshToken']);
    expect(signedOut).toEqual([{ reason: 'REVOKED' }]);
  });
});

describe('single flight', () => {
  test('50 concurrent operations due for a refresh cause exactly one refreshToken call', async () => {
    const { tessera, email } = await signedInClient(env);
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    const from = env.proxy.operations.length;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => tessera.request(MeDocument)),
    );
    expect(results.every((result) => result.me.email === email)).toBe(true);
    expect(since(from).filter((name) => name === 'RefreshToken')).toHaveLength(1);
  });

  test('50 concurrent operations refused as expired by the server cause exactly one refreshToken call', async () => {
    const clientNow = env.app.clock.now().getTime();
    const { tessera, email } = await signedInClient(env, { now: () => clientNow });
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    const from = env.proxy.operations.length;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => tessera.request(MeDocument)),
    );
    expect(results.every((result) => result.me.email === email)).toBe(true);
    const names = since(from);
    expect(names.filter((name) => name === 'RefreshToken')).toHaveLength(1);
    expect(names.filter((name) => name === 'Me')).toHaveLength(100); // each refused once, retried once
  });

  test('sequential operations after a refresh reuse its token instead of refreshing again', async () => {
    const { tessera } = await signedInClient(env);
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    const from = env.proxy.operations.length;
    for (let i = 0; i < 5; i += 1) await tessera.request(MeDocument);
    expect(since(from)).toEqual(['RefreshToken', 'Me', 'Me', 'Me', 'Me', 'Me']);
  });
});

describe('network failures', () => {
  test('a refresh whose answer is lost is retried and gets the same pair: the user stays signed in', async () => {
    const { tessera, email, signedOut } = await signedInClient(env);
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    const lost = env.proxy.loseNextAnswer('RefreshToken');
    const from = env.proxy.operations.length;
    const { me } = await tessera.request(MeDocument);
    expect(me.email).toBe(email);
    expect(since(from)).toEqual(['RefreshToken', 'RefreshToken', 'Me']);
    // The retry got the very pair whose answer was lost: the server's retry window at work.
    const lostPair = JSON.parse(await lost).data.refreshToken;
    const kept = await tessera.tokens.session();
    expect(kept?.accessToken).toBe(lostPair.accessToken);
    expect(kept?.refreshToken).toBe(lostPair.refreshToken);
    expect(signedOut).toEqual([]);
    // And that pair is live: the next refresh spends it normally.
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    await expect(tessera.request(MeDocument)).resolves.toMatchObject({ me: { email } });
    expect(signedOut).toEqual([]);
  });

  test('a refresh that cannot reach the server fails the operation and keeps the session', async () => {
    let offline = false;
    const { tessera, email, signedOut } = await signedInClient(env, {
      fetch: (input, init) =>
        offline ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init),
      now: Date.now,
      refreshRetryWindowMs: 600,
    });
    const stored = await tessera.tokens.session();
    // Make the token due on the client's real clock without waiting for it.
    await tessera.tokens.adopt(
      {
        accessToken: stored?.accessToken ?? '',
        refreshToken: stored?.refreshToken ?? '',
        expiresIn: 0,
        user: { id: stored?.userId ?? '' },
        session: { id: stored?.sessionId ?? '' },
      },
      Date.now(),
    );
    offline = true;
    await expect(tessera.request(MeDocument)).rejects.toBeInstanceOf(TesseraNetworkError);
    expect(signedOut).toEqual([]);
    expect((await tessera.tokens.session())?.refreshToken).toBe(stored?.refreshToken);
    offline = false;
    await expect(tessera.request(MeDocument)).resolves.toMatchObject({ me: { email } });
  });
});

describe('signing out', () => {
  test('a refresh token reused after the retry window signs out with the event', async () => {
    const { tessera, signedOut } = await signedInClient(env);
    const stolen = (await tessera.tokens.session())?.refreshToken as string;
    // A thief spends the refresh token first; the client's copy is now spent.
    expect((await refresh(env.app, stolen)).errors).toBeUndefined();
    env.app.clock.advance(ACCESS_TTL_SECONDS + 11);
    await expect(tessera.request(MeDocument)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(signedOut).toEqual([{ reason: 'REUSED' }]);
    expect(await tessera.tokens.session()).toBeNull();
    // Reuse revoked the whole session, the thief's pair included.
    expect(errorCode(await refresh(env.app, stolen))).toBe('INVALID_REFRESH_TOKEN');
  });

  test('REUSED with a sibling tab\u2019s newer pair in the shared store adopts it instead of signing out', async () => {
    const shared = memoryStore();
    const sibling = await signedInClient(env, { storage: shared });
    const stale = await shared.get();
    // This tab read the shared store just before the sibling wrote to it (as a tab does that
    // waited out the lock); meanwhile the sibling refreshed twice, spending the successor of
    // the token this tab holds, within the retry window: the server answers REUSED.
    let staleReads = 1;
    const lagging: SessionStore = {
      get: () => (staleReads-- > 0 ? stale : shared.get()),
      set: (session) => shared.set(session),
      clear: () => shared.clear(),
    };
    const tab = clientFor(env, { storage: lagging });
    await sibling.tessera.tokens.refresh(stale?.accessToken);
    await sibling.tessera.tokens.refresh(sibling.tessera.tokens.currentAccessToken() ?? '');
    const newest = await shared.get();
    const from = env.proxy.operations.length;
    expect(await tab.tessera.tokens.refresh(stale?.accessToken)).toBe(newest?.accessToken);
    expect(
      JSON.parse(env.proxy.operations[from]?.answer ?? '{}').errors[0].extensions,
    ).toMatchObject({
      code: 'INVALID_REFRESH_TOKEN',
      reason: 'REUSED',
    });
    expect(tab.signedOut).toEqual([]);
    await expect(tab.tessera.request(MeDocument)).resolves.toMatchObject({
      me: { email: sibling.email },
    });
  });
});

function errorCode(result: { errors?: Array<{ extensions: Record<string, unknown> }> }) {
  return result.errors?.[0]?.extensions.code;
}
