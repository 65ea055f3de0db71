// One definition of a live session, used by every check: the hot path, refresh, the session
// list and revocation agree, even with settings where the access token outlives the idle end.
import { describe, expect, it } from 'vitest';
import { type Auth, errorOf, login, me, must, refresh, signUp, useTestApp } from './harness.ts';

describe('a session past its idle end', () => {
  // Settings the configuration now refuses, built directly: an access token (3600 s) that would
  // outlive its session's idle end (60 s). The session's end still rules the token.
  const app = useTestApp({ settings: { accessTokenTtlSeconds: 3600, refreshTokenTtlSeconds: 60 } });

  it('is dead to every check at once', async () => {
    const auth = await signUp(app);
    app.clock.advance(61);
    expect(errorOf(await me(app, auth.accessToken))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'EXPIRED',
    });
    expect(errorOf(await refresh(app, auth.refreshToken))).toEqual({
      code: 'INVALID_REFRESH_TOKEN',
      reason: 'EXPIRED',
    });
    // Seen from a new session of the same account: not listed, not counted as signed out.
    const fresh = (await login(app, auth.user.email)).data?.login as Auth;
    const sessions = await must(app, '{ sessions { id } }', {}, fresh.accessToken);
    expect(sessions).toEqual([{ id: fresh.session.id }]);
    const revoked = await must(
      app,
      'mutation { revokeAllTokens { revokedSessionCount } }',
      {},
      fresh.accessToken,
    );
    expect(revoked.revokedSessionCount).toBe(1);
  });
});

describe('logout()', () => {
  const app = useTestApp();

  it('records SESSION_REVOKED once, however many times it is sent at once', async () => {
    const auth = await signUp(app);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => app.gql('mutation { logout }', {}, auth.accessToken)),
    );
    // Each either signed the session out or found it already gone.
    for (const r of results) {
      expect(r.data?.logout === true || errorOf(r).reason === 'REVOKED').toBe(true);
    }
    expect(errorOf(await me(app, auth.accessToken))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'REVOKED',
    });
    const fresh = await must(
      app,
      `mutation($e: EmailAddress!) { login(email: $e, password: "correct horse battery staple") { accessToken } }`,
      { e: auth.user.email },
    );
    const events = await must(app, '{ securityEvents(first: 20) { type } }', {}, fresh.accessToken);
    expect(events.filter((e: { type: string }) => e.type === 'SESSION_REVOKED')).toHaveLength(1);
  });
});
