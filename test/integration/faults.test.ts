import type { Pool } from 'pg';
import { describe, expect, it } from 'vitest';
import {
  errorOf,
  login,
  me,
  refresh,
  signUp,
  uniqueEmail,
  useTestAppBehindProxy,
} from './harness.ts';

const { app, proxy } = useTestAppBehindProxy();

describe('when the database cannot be reached', () => {
  it('operations fail with SERVICE_UNAVAILABLE, not a 500, and work again once it is back', async () => {
    const email = uniqueEmail();
    const auth = await signUp(app, email);
    proxy.cut();
    try {
      const authenticated = await me(app, auth.accessToken);
      expect(authenticated.status).toBe(503);
      expect(errorOf(authenticated)).toEqual({ code: 'SERVICE_UNAVAILABLE' });
      const signUpAttempt = app.gql(
        'mutation($e: EmailAddress!) { signUp(email: $e, password: "long enough pw") { accessToken } }',
        { e: uniqueEmail() },
      );
      const attempts = [login(app, email), refresh(app, auth.refreshToken), signUpAttempt];
      for (const result of await Promise.all(attempts)) {
        expect(errorOf(result)).toEqual({ code: 'SERVICE_UNAVAILABLE' });
      }
      const text = JSON.stringify(authenticated.errors);
      expect(text).not.toMatch(/ECONN|select|postgres|stack/i);
    } finally {
      proxy.restore();
    }
    expect((await me(app, auth.accessToken)).data?.me.email).toBe(email);
    expect((await refresh(app, auth.refreshToken)).errors).toBeUndefined();
  });
});

describe('a sensitive mutation cut off in the middle', () => {
  it.each([
    [
      'changePassword',
      'mutation { changePassword(currentPassword: "correct horse battery staple", newPassword: "a whole new password") { accessToken } }',
    ],
    [
      'changeEmail',
      'mutation($e: EmailAddress!) { changeEmail(newEmail: $e, currentPassword: "correct horse battery staple") { accessToken } }',
    ],
    [
      'revokeAllTokens',
      'mutation { revokeAllTokens(currentPassword: "correct horse battery staple") { revokedSessionCount } }',
    ],
  ])('%s leaves everything as it was: no session revoked, nothing changed', async (_, mutation) => {
    const email = uniqueEmail();
    const auth = await signUp(app, email);
    const other = (await login(app, email)).data?.login;
    // Sessions were already revoked inside the transaction when the new tokens go out.
    const cut = proxy.cutWhen(/insert into "access_tokens"/i);
    const result = await app.gql(mutation, { e: uniqueEmail('moved') }, auth.accessToken);
    await cut;
    expect(errorOf(result)).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    expect((await me(app, auth.accessToken)).data?.me.email).toBe(email);
    expect((await me(app, other.accessToken)).data?.me.email).toBe(email);
    expect((await login(app, email)).errors).toBeUndefined();
    expect(errorOf(await login(app, email, 'a whole new password'))).toEqual({
      code: 'INVALID_CREDENTIALS',
    });
  });
});

describe('connections lost in mid-transaction', () => {
  it('are discarded, not leaked: more blips than pool slots, and nothing stays checked out', async () => {
    const pool = (await app.orm.em.getConnection().getNativeClient()) as Pool;
    const auth = await signUp(app);
    for (let i = 0; i < 7; i++) {
      const cut = proxy.cutWhen(/insert into "access_tokens"/i);
      const result = await app.gql(
        'mutation { revokeAllTokens(currentPassword: "correct horse battery staple") { revokedSessionCount } }',
        {},
        auth.accessToken,
      );
      await cut;
      expect(errorOf(result)).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    }
    expect(pool.totalCount - pool.idleCount).toBe(0);
    expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
  });
});
