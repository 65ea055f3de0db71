import { describe, expect, it } from 'vitest';
import {
  type Auth,
  errorOf,
  login,
  must,
  PASSWORD,
  refresh,
  signUp,
  uniqueEmail,
  useTestApp,
} from './harness.ts';

const app = useTestApp();

const EVENTS =
  '{ securityEvents(first: 100) { id type occurredAt ipAddress userAgent sessionId } }';

describe('securityEvents', () => {
  it('records each event as it happens, newest first, with the IP, user agent and session', async () => {
    const email = uniqueEmail();
    const signedUp = await signUp(app, email);
    app.clock.advance(1);
    await login(app, email, 'wrong password!');
    app.clock.advance(1);
    const second = (await login(app, email)).data?.login as Auth;
    app.clock.advance(1);
    await app.gql(
      'mutation($id: ID!) { revokeSession(id: $id) }',
      { id: signedUp.session.id },
      second.accessToken,
    );
    app.clock.advance(1);
    const successor = (await refresh(app, second.refreshToken)).data?.refreshToken as Auth;
    app.clock.advance(60);
    await refresh(app, second.refreshToken); // reuse after the window: the session is revoked
    app.clock.advance(1);
    const third = (await login(app, email)).data?.login as Auth;
    app.clock.advance(1);
    const newEmail = uniqueEmail('moved');
    const moved = await must(
      app,
      `mutation($e: EmailAddress!) { changeEmail(newEmail: $e, currentPassword: "${PASSWORD}") { accessToken session { id } } }`,
      { e: newEmail },
      third.accessToken,
    );
    app.clock.advance(1);
    const changed = await must(
      app,
      `mutation { changePassword(currentPassword: "${PASSWORD}", newPassword: "${PASSWORD}!") { accessToken session { id } } }`,
      {},
      moved.accessToken,
    );
    app.clock.advance(1);
    await must(
      app,
      'mutation { revokeAllTokens { revokedSessionCount } }',
      {},
      changed.accessToken,
    );
    const last = (await login(app, newEmail, `${PASSWORD}!`)).data?.login as Auth;

    const events = await must(app, EVENTS, {}, last.accessToken);
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      'LOGIN_SUCCEEDED',
      'ALL_SESSIONS_REVOKED',
      'PASSWORD_CHANGED',
      'EMAIL_CHANGED',
      'LOGIN_SUCCEEDED',
      'REFRESH_TOKEN_REUSE',
      'SESSION_REVOKED',
      'LOGIN_SUCCEEDED',
      'LOGIN_FAILED',
      'SIGNED_UP',
    ]);
    const byType = (type: string) => events.find((e: { type: string }) => e.type === type);
    expect(byType('SIGNED_UP').sessionId).toBe(signedUp.session.id);
    expect(byType('SESSION_REVOKED').sessionId).toBe(signedUp.session.id);
    expect(byType('REFRESH_TOKEN_REUSE').sessionId).toBe(successor.session.id);
    expect(byType('PASSWORD_CHANGED').sessionId).toBe(changed.session.id);
    expect(byType('LOGIN_FAILED').sessionId).toBeNull();
    for (const event of events) {
      expect(event.ipAddress).toBe('127.0.0.1');
      expect(event.userAgent).toBe('node');
    }
  });

  it('never shows another user’s events, and serves at most 100 at a time', async () => {
    const mine = await signUp(app);
    const theirs = await signUp(app);
    for (let i = 0; i < 3; i++) await login(app, theirs.user.email, 'wrong password!');
    const events = await must(app, EVENTS, {}, mine.accessToken);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('SIGNED_UP');
    const some = await must(app, '{ securityEvents(first: 2) { type } }', {}, theirs.accessToken);
    expect(some).toEqual([{ type: 'LOGIN_FAILED' }, { type: 'LOGIN_FAILED' }]);
    for (let i = 0; i < 101; i++) await login(app, theirs.user.email, 'wrong password!');
    const hundred = await must(
      app,
      '{ securityEvents(first: 100) { type } }',
      {},
      theirs.accessToken,
    );
    expect(hundred).toHaveLength(100);
    for (const first of [101, 0, -1]) {
      const refused = await app.gql(
        'query($n: Int) { securityEvents(first: $n) { type } }',
        { n: first },
        theirs.accessToken,
      );
      expect(errorOf(refused)).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    }
  });

  it('refuses first over 100 written in the query as BAD_USER_INPUT on first, not as too costly', async () => {
    const { accessToken } = await signUp(app);
    for (const first of [101, 1000, 1_000_000]) {
      const refused = await app.gql(
        `{ securityEvents(first: ${first}) { id type occurredAt ipAddress userAgent sessionId } }`,
        {},
        accessToken,
      );
      expect([first, errorOf(refused)]).toEqual([
        first,
        { code: 'BAD_USER_INPUT', field: 'first' },
      ]);
      expect(refused.errors?.[0]?.message).toBe('first must be between 1 and 100.');
    }
  });

  it('needs a user', async () => {
    expect(errorOf(await app.gql(EVENTS))).toEqual({ code: 'UNAUTHENTICATED', reason: 'MISSING' });
  });
});
