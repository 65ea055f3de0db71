import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.ts';
import {
  errorOf,
  expectRevoked,
  me,
  refresh,
  signUp,
  startTestApp,
  useTestApp,
} from './harness.ts';

const app = useTestApp();

describe('refreshToken()', () => {
  it('rotates: a new pair, the earlier access token still working, the absolute end unmoved', async () => {
    const auth = await signUp(app);
    app.clock.advance(60);
    const next = (await refresh(app, auth.refreshToken)).data?.refreshToken;
    expect(next.accessToken).not.toBe(auth.accessToken);
    expect(next.refreshToken).not.toBe(auth.refreshToken);
    expect(next.session.id).toBe(auth.session.id);
    expect(next.session.expiresAt).toBe(auth.session.expiresAt);
    expect(new Date(next.session.lastUsedAt).getTime()).toBe(app.clock.now().getTime());
    expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    expect((await me(app, next.accessToken)).data?.me.id).toBe(auth.user.id);
  });

  it('returns the same successor pair to a retry within the grace window', async () => {
    const auth = await signUp(app);
    const first = (await refresh(app, auth.refreshToken)).data?.refreshToken;
    app.clock.advance(9);
    const retry = (await refresh(app, auth.refreshToken)).data?.refreshToken;
    expect(retry.accessToken).toBe(first.accessToken);
    expect(retry.refreshToken).toBe(first.refreshToken);
    expect(retry.accessTokenExpiresAt).toBe(first.accessTokenExpiresAt);
    expect((await me(app, retry.accessToken)).data?.me.id).toBe(auth.user.id);
  });

  it('near the end of its session hands out a pair that ends with it, and the same to a retry', async () => {
    // Shorter than both token lifetimes: every pair is bounded by the session's absolute end.
    const short = await startTestApp({ settings: { sessionTtlSeconds: 300 } });
    try {
      const auth = await signUp(short);
      short.clock.advance(100);
      const next = (await refresh(short, auth.refreshToken)).data?.refreshToken;
      expect(next.accessTokenExpiresAt).toBe(auth.session.expiresAt);
      expect(next.refreshTokenExpiresAt).toBe(auth.session.expiresAt);
      expect(next.expiresIn).toBe(200);
      short.clock.advance(5);
      const retry = (await refresh(short, auth.refreshToken)).data?.refreshToken;
      expect(retry.refreshToken).toBe(next.refreshToken);
      expect(retry.accessTokenExpiresAt).toBe(auth.session.expiresAt);
      expect(retry.refreshTokenExpiresAt).toBe(auth.session.expiresAt);
      // And so do the rows stored for it.
      const [stored] = await short.orm.em.getConnection().execute(
        `select (select expires_at from access_tokens where token_hash = ?) as access,
           (select expires_at from refresh_tokens where token_hash = ?) as refresh`,
        [hashToken(next.accessToken), hashToken(next.refreshToken)],
      );
      expect(new Date(stored?.access).toISOString()).toBe(auth.session.expiresAt);
      expect(new Date(stored?.refresh).toISOString()).toBe(auth.session.expiresAt);
    } finally {
      await short.close();
    }
  });

  it('gives 8 parallel refreshes of one token the same successor, and none an error', async () => {
    const auth = await signUp(app);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => refresh(app, auth.refreshToken)),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    const pairs = new Set(
      results.map(
        (r) => `${r.data?.refreshToken.accessToken}/${r.data?.refreshToken.refreshToken}`,
      ),
    );
    expect(pairs.size).toBe(1);
    const [successor] = results;
    const next = await refresh(app, successor?.data?.refreshToken.refreshToken);
    expect(next.errors).toBeUndefined();
  });

  it('replay after the grace window revokes the whole session and records REFRESH_TOKEN_REUSE', async () => {
    const auth = await signUp(app);
    const successor = (await refresh(app, auth.refreshToken)).data?.refreshToken;
    app.clock.advance(11);
    const replay = await refresh(app, auth.refreshToken);
    expect(errorOf(replay)).toEqual({ code: 'INVALID_REFRESH_TOKEN', reason: 'REUSED' });
    // Every token of the family is dead: the old and new access tokens, the successor refresh.
    expect(errorOf(await me(app, auth.accessToken))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'REVOKED',
    });
    await expectRevoked(app, successor);
    const login = await app.gql(
      'mutation($e: EmailAddress!) { login(email: $e, password: "correct horse battery staple") { accessToken } }',
      { e: auth.user.email },
    );
    const events = await app.gql(
      '{ securityEvents { type sessionId } }',
      {},
      login.data?.login.accessToken,
    );
    expect(events.data?.securityEvents).toContainEqual({
      type: 'REFRESH_TOKEN_REUSE',
      sessionId: auth.session.id,
    });
  });

  it('fails a retry within the window once the successor was spent, and revokes nothing', async () => {
    const auth = await signUp(app);
    const successor = (await refresh(app, auth.refreshToken)).data?.refreshToken;
    const third = (await refresh(app, successor.refreshToken)).data?.refreshToken;
    app.clock.advance(5);
    const stale = await refresh(app, auth.refreshToken);
    expect(errorOf(stale)).toEqual({ code: 'INVALID_REFRESH_TOKEN', reason: 'REUSED' });
    expect((await me(app, third.accessToken)).data?.me.id).toBe(auth.user.id);
    expect((await refresh(app, third.refreshToken)).errors).toBeUndefined();
  });

  it('expires an unused refresh token REFRESH_TOKEN_TTL_SECONDS after it was issued', async () => {
    const auth = await signUp(app);
    app.clock.advance(1_209_600);
    expect(errorOf(await refresh(app, auth.refreshToken))).toEqual({
      code: 'INVALID_REFRESH_TOKEN',
      reason: 'EXPIRED',
    });
  });

  it('never moves the absolute end: refreshing stops working SESSION_TTL_SECONDS after login', async () => {
    const auth = await signUp(app);
    let token = auth.refreshToken;
    for (let day = 0; day < 29; day++) {
      app.clock.advance(86_400);
      const next = (await refresh(app, token)).data?.refreshToken;
      expect(next.session.expiresAt).toBe(auth.session.expiresAt);
      // Tokens are cut short at the session's end.
      expect(new Date(next.refreshTokenExpiresAt).getTime()).toBeLessThanOrEqual(
        new Date(auth.session.expiresAt).getTime(),
      );
      token = next.refreshToken;
    }
    app.clock.advance(86_400);
    expect(errorOf(await refresh(app, token))).toEqual({
      code: 'INVALID_REFRESH_TOKEN',
      reason: 'EXPIRED',
    });
  });

  it('refuses unknown, mangled and access tokens as INVALID, without failing the request', async () => {
    const auth = await signUp(app);
    const flipped = `${auth.refreshToken.slice(0, 10)}${auth.refreshToken[10] === 'A' ? 'B' : 'A'}${auth.refreshToken.slice(11)}`;
    for (const token of [flipped, auth.accessToken, 'tsr_nope', '', `tsr_${'A'.repeat(49)}`]) {
      expect(errorOf(await refresh(app, token))).toEqual({
        code: 'INVALID_REFRESH_TOKEN',
        reason: 'INVALID',
      });
    }
  });

  it('works while a stale or garbage Authorization header is sent along', async () => {
    const auth = await signUp(app);
    await app.gql('mutation { logout }', {}, auth.accessToken);
    const other = await signUp(app);
    const result = await refresh(app, other.refreshToken, 'garbage-token');
    expect(result.errors).toBeUndefined();
    expect(result.data?.refreshToken.accessToken).toMatch(/^tsa_/);
    const again = await refresh(app, result.data?.refreshToken.refreshToken, auth.accessToken);
    expect(again.errors).toBeUndefined();
  });

  it('refuses a refresh token of a revoked session with REVOKED', async () => {
    const auth = await signUp(app);
    await app.gql('mutation { logout }', {}, auth.accessToken);
    expect(errorOf(await refresh(app, auth.refreshToken))).toEqual({
      code: 'INVALID_REFRESH_TOKEN',
      reason: 'REVOKED',
    });
  });
});
