// The token cache: a warm check costs no statement, and revocation stays immediate on every
// instance — once a revoking mutation has answered, no instance accepts the revoked tokens —
// including an instance whose listener connection was cut.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateToken } from '../../src/auth/tokens.ts';
import {
  AUTH_FIELDS,
  type Auth,
  errorOf,
  login,
  me,
  PASSWORD,
  refresh,
  requestStatements,
  signUp,
  startTestApp,
  type TestApp,
  useTestApp,
  useTestAppBehindProxy,
} from './harness.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

describe('statements on the wire', () => {
  const { app, proxy } = useTestAppBehindProxy({ tokenCache: { size: 100 } });

  it('a cold check costs one read, a warm one none', async () => {
    const auth = await signUp(app);
    let before = proxy.statements.length;
    expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    expect(requestStatements(proxy, before).map((s) => s.statement)).toEqual([
      'tessera.validate-access-token.v1',
    ]);
    before = proxy.statements.length;
    for (let i = 0; i < 5; i++) {
      expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    }
    expect(requestStatements(proxy, before)).toEqual([]);
  });

  it('a forged token (right shape, unknown) costs one read, and none the second time', async () => {
    const forged = generateToken('access');
    let before = proxy.statements.length;
    expect(errorOf(await me(app, forged))).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID' });
    expect(requestStatements(proxy, before)).toHaveLength(1);
    before = proxy.statements.length;
    expect(errorOf(await me(app, forged))).toEqual({ code: 'UNAUTHENTICATED', reason: 'INVALID' });
    expect(requestStatements(proxy, before)).toEqual([]);
  });

  it('stays within its bound under a flood of distinct forged tokens', async () => {
    for (let round = 0; round < 10; round++) {
      await Promise.all(Array.from({ length: 50 }, () => me(app, generateToken('access'))));
    }
    expect(app.revocations?.servingCache()?.size).toBeLessThanOrEqual(100);
  });

  it('a token of the right length whose checksum is wrong is MALFORMED, never read or cached', async () => {
    const token = generateToken('access');
    const broken = `${token.slice(0, -6)}${token.slice(-6) === 'AAAAAA' ? 'AAAAAB' : 'AAAAAA'}`;
    const size = app.revocations?.servingCache()?.size;
    const before = proxy.statements.length;
    for (let i = 0; i < 2; i++) {
      expect(errorOf(await me(app, broken))).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'MALFORMED',
      });
    }
    expect(requestStatements(proxy, before)).toEqual([]);
    expect(app.revocations?.servingCache()?.size).toBe(size);
  });

  it('a warm token is accepted, with no statement, until the second it expires', async () => {
    const auth = await signUp(app);
    await me(app, auth.accessToken);
    app.clock.advance(899);
    const before = proxy.statements.length;
    expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    expect(requestStatements(proxy, before)).toEqual([]);
    app.clock.advance(1);
    expect(errorOf(await me(app, auth.accessToken))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'EXPIRED',
    });
  });
});

describe('revocation across three instances', () => {
  let a: TestApp;
  let b: TestApp;
  let c: TestApp;
  let listener: TcpProxy; // between c's cache listener and the database
  beforeAll(async () => {
    listener = await startTcpProxy(inject('databaseUrl'));
    [a, b, c] = await Promise.all([
      startTestApp(),
      startTestApp(),
      startTestApp({ tokenCache: { listenerUrl: listener.url } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), c?.close()]);
    await listener?.close();
  });

  const REVOKE_ALL = 'mutation { revokeAllTokens { revokedSessionCount } }';
  const CHANGE_PASSWORD = `mutation($pw: String!, $new: String!) { changePassword(currentPassword: $pw, newPassword: $new) { ${AUTH_FIELDS} } }`;

  /** Each way to revoke, run on `on`, for a token that `on`'s peers have cached. */
  const revocations: Array<(on: TestApp, auth: Auth) => Promise<unknown>> = [
    (on, auth) => on.gql('mutation { logout }', {}, auth.accessToken),
    (on, auth) => on.gql(REVOKE_ALL, {}, auth.accessToken),
    (on, auth) =>
      on.gql(CHANGE_PASSWORD, { pw: PASSWORD, new: 'another good password' }, auth.accessToken),
    async (on, auth) => {
      const other = (await login(on, auth.user.email)).data?.login as Auth;
      return on.gql(
        'mutation($id: ID!) { revokeSession(id: $id) }',
        { id: auth.session.id },
        other.accessToken,
      );
    },
    async (on, auth) => {
      await refresh(on, auth.refreshToken);
      on.clock.advance(11); // past the retry window: a replay is reuse, and revokes the session
      return refresh(on, auth.refreshToken);
    },
  ];

  it('once a revoking mutation has answered, no other instance accepts the token: 300 times', async () => {
    const apps = [a, b, c];
    let accepted = 0;
    for (let i = 0; i < 300; i++) {
      const [revoker, ...others] = [0, 1, 2].map((k) => apps[(i + k) % 3]) as [
        TestApp,
        ...TestApp[],
      ];
      const auth = await signUp(revoker);
      // Every instance has the token cached as valid.
      for (const app of apps) expect((await me(app, auth.accessToken)).data?.me).toBeTruthy();
      await revocations[i % revocations.length]?.(revoker, auth);
      const answers = await Promise.all(others.map((app) => me(app, auth.accessToken)));
      accepted += answers.filter((r) => r.data?.me).length;
    }
    expect(accepted).toBe(0);
    // 300 sign-ups and revocations pay argon2 each: about 15 s on a quiet machine; room for a busy one.
  }, 120_000);

  it('holds when an instance’s listener connection is cut: it falls back to the database', async () => {
    const auth = await signUp(a);
    for (const app of [a, b, c]) expect((await me(app, auth.accessToken)).data?.me).toBeTruthy();
    listener.cut(); // c hears nothing more, and cannot renew its lease
    try {
      const started = performance.now();
      expect((await a.gql('mutation { logout }', {}, auth.accessToken)).data?.logout).toBe(true);
      // The revoker waited at most for c's lease (1 s in tests) to run out.
      expect(performance.now() - started).toBeLessThan(3000);
      expect(errorOf(await me(c, auth.accessToken))).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'REVOKED',
      });
      expect(c.revocations?.servingCache()).toBeUndefined();
    } finally {
      listener.restore();
    }
    // Back on the network, c serves from its cache again (it started it afresh).
    const deadline = Date.now() + 10_000;
    while (!c.revocations?.servingCache() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(c.revocations?.servingCache()).toBeDefined();
  });

  it('holds when an instance’s listener stops hearing notifications while its queries answer', async () => {
    const auth = await signUp(a);
    for (const app of [a, b, c]) expect((await me(app, auth.accessToken)).data?.me).toBeTruthy();
    listener.muteNotifications(true); // c's renewals still succeed; its heartbeats never return
    try {
      expect((await a.gql('mutation { logout }', {}, auth.accessToken)).data?.logout).toBe(true);
      expect(errorOf(await me(c, auth.accessToken))).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'REVOKED',
      });
      expect(c.revocations?.servingCache()).toBeUndefined();
    } finally {
      listener.muteNotifications(false);
    }
  });
});

describe('an instance without a cache (TOKEN_CACHE_SIZE=0)', () => {
  const uncached = useTestApp({ tokenCache: { size: 0 } });
  const cached = useTestApp();

  it('starts, never serves from a cache, and still makes caching peers drop what it revokes', async () => {
    const auth = await signUp(uncached);
    expect((await me(cached, auth.accessToken)).data?.me).toBeTruthy(); // cached there now
    expect((await me(uncached, auth.accessToken)).data?.me).toBeTruthy();
    expect(uncached.revocations?.servingCache()).toBeUndefined();
    expect((await uncached.gql('mutation { logout }', {}, auth.accessToken)).data?.logout).toBe(
      true,
    );
    expect(errorOf(await me(cached, auth.accessToken))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'REVOKED',
    });
  });
});
