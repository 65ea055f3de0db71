import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  errorOf,
  login,
  me,
  refresh,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './harness.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

let proxy: TcpProxy;
let app: TestApp;
beforeAll(async () => {
  proxy = await startTcpProxy(inject('databaseUrl'));
  app = await startTestApp({ databaseUrl: proxy.url });
});
afterAll(async () => {
  await app.close();
  await proxy.close();
});

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
