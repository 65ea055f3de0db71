import { describe, expect, it } from 'vitest';
import {
  AUTH_FIELDS,
  type Auth,
  errorOf,
  expectRevoked,
  login,
  me,
  must,
  PASSWORD,
  signUp,
  uniqueEmail,
  useTestApp,
} from './harness.ts';

const app = useTestApp();

/** Signs up and logs in twice more: three live sessions of one account. */
async function threeSessions(): Promise<Auth[]> {
  const email = uniqueEmail();
  const first = await signUp(app, email);
  app.clock.advance(1);
  const second = (await login(app, email)).data?.login as Auth;
  app.clock.advance(1);
  const third = (await login(app, email)).data?.login as Auth;
  return [first, second, third];
}

function expectSignedOut(auth: Auth): Promise<void> {
  return expectRevoked(app, auth);
}

async function expectSignedIn(auth: Auth): Promise<void> {
  expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
}

const REVOKE_SESSION =
  'mutation($id: ID!, $pw: String) { revokeSession(id: $id, currentPassword: $pw) }';
const REVOKE_ALL = `mutation($pw: String) { revokeAllTokens(currentPassword: $pw) { revokedSessionCount auth { ${AUTH_FIELDS} } } }`;
const CHANGE_EMAIL = `mutation($e: EmailAddress!, $pw: String!) { changeEmail(newEmail: $e, currentPassword: $pw) { ${AUTH_FIELDS} } }`;
const CHANGE_PASSWORD = `mutation($pw: String!, $new: String!) { changePassword(currentPassword: $pw, newPassword: $new) { ${AUTH_FIELDS} } }`;

describe('sessions', () => {
  it('lists the caller’s live sessions newest first, marking the current one', async () => {
    const [first, second, third] = await threeSessions();
    await app.gql('mutation { logout }', {}, second?.accessToken);
    const sessions = await must(
      app,
      '{ sessions { id current expiresAt } }',
      {},
      first?.accessToken,
    );
    expect(sessions.map((s: { id: string }) => s.id)).toEqual([
      third?.session.id,
      first?.session.id,
    ]);
    expect(sessions.map((s: { current: boolean }) => s.current)).toEqual([false, true]);
  });

  it('drops sessions past their idle end from the list', async () => {
    const [first] = await threeSessions();
    app.clock.advance(1_209_600);
    const fresh = (await login(app, first?.user.email as string)).data?.login as Auth;
    const sessions = await must(app, '{ sessions { id } }', {}, fresh.accessToken);
    expect(sessions).toEqual([{ id: fresh.session.id }]);
  });
});

describe('logout()', () => {
  it('revokes the caller’s session only', async () => {
    const [first, second] = await threeSessions();
    expect(await must(app, 'mutation { logout }', {}, first?.accessToken)).toBe(true);
    await expectSignedOut(first as Auth);
    await expectSignedIn(second as Auth);
  });

  it('needs a user', async () => {
    expect(errorOf(await app.gql('mutation { logout }'))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'MISSING',
    });
  });
});

describe('revokeSession()', () => {
  it('revokes another of the caller’s sessions from a fresh session without a password', async () => {
    const [first, second, third] = await threeSessions();
    expect(await must(app, REVOKE_SESSION, { id: first?.session.id }, third?.accessToken)).toBe(
      true,
    );
    await expectSignedOut(first as Auth);
    await expectSignedIn(second as Auth);
    await expectSignedIn(third as Auth);
  });

  it('asks a session that is not fresh for the password, and accepts the right one', async () => {
    const [first, , third] = await threeSessions();
    app.clock.advance(600);
    const refused = await app.gql(REVOKE_SESSION, { id: first?.session.id }, third?.accessToken);
    expect(errorOf(refused)).toEqual({ code: 'REAUTHENTICATION_REQUIRED' });
    await expectSignedIn(first as Auth);
    const wrong = await app.gql(
      REVOKE_SESSION,
      { id: first?.session.id, pw: 'not my password' },
      third?.accessToken,
    );
    expect(errorOf(wrong)).toEqual({ code: 'INVALID_CREDENTIALS' });
    await expectSignedIn(first as Auth);
    expect(
      await must(app, REVOKE_SESSION, { id: first?.session.id, pw: PASSWORD }, third?.accessToken),
    ).toBe(true);
    await expectSignedOut(first as Auth);
  });

  it('answers NOT_FOUND for another user’s session, an unknown id, a revoked one, and garbage', async () => {
    const [mine, revoked] = await threeSessions();
    const [theirs] = await threeSessions();
    expect(await must(app, 'mutation { logout }', {}, revoked?.accessToken)).toBe(true);
    const ids = [
      theirs?.session.id,
      '00000000-0000-4000-8000-000000000000',
      revoked?.session.id,
      'not-a-uuid',
    ];
    for (const id of ids) {
      const result = await app.gql(REVOKE_SESSION, { id }, mine?.accessToken);
      expect(errorOf(result)).toEqual({ code: 'NOT_FOUND' });
    }
    await expectSignedIn(theirs as Auth);
  });
});

describe('revokeAllTokens()', () => {
  it('without a password revokes every session, the caller’s too, and says how many', async () => {
    const sessions = await threeSessions();
    const result = await must(app, REVOKE_ALL, {}, sessions[2]?.accessToken);
    expect(result).toEqual({ revokedSessionCount: 3, auth: null });
    for (const auth of sessions) await expectSignedOut(auth);
  });

  it('with the right password revokes every session and returns a new one', async () => {
    const sessions = await threeSessions();
    const result = await must(app, REVOKE_ALL, { pw: PASSWORD }, sessions[0]?.accessToken);
    expect(result.revokedSessionCount).toBe(3);
    for (const auth of sessions) await expectSignedOut(auth);
    await expectSignedIn(result.auth);
    expect(result.auth.session.current).toBe(true);
  });

  it('with a wrong password revokes nothing', async () => {
    const sessions = await threeSessions();
    const result = await app.gql(REVOKE_ALL, { pw: 'not my password' }, sessions[0]?.accessToken);
    expect(errorOf(result)).toEqual({ code: 'INVALID_CREDENTIALS' });
    for (const auth of sessions) await expectSignedIn(auth);
  });
});

describe('changeEmail()', () => {
  it('changes the address, revokes every session and returns a new one', async () => {
    const sessions = await threeSessions();
    const newEmail = uniqueEmail('moved');
    const result = await must(
      app,
      CHANGE_EMAIL,
      { e: newEmail.toUpperCase(), pw: PASSWORD },
      sessions[0]?.accessToken,
    );
    expect(result.user.email).toBe(newEmail);
    for (const auth of sessions) await expectSignedOut(auth);
    await expectSignedIn(result);
    expect(errorOf(await login(app, sessions[0]?.user.email as string))).toEqual({
      code: 'INVALID_CREDENTIALS',
    });
    expect((await login(app, newEmail)).data?.login.user.id).toBe(result.user.id);
  });

  it('refuses an address another account has with EMAIL_IN_USE, changing nothing', async () => {
    const [mine] = await threeSessions();
    const [theirs] = await threeSessions();
    const result = await app.gql(
      CHANGE_EMAIL,
      { e: theirs?.user.email, pw: PASSWORD },
      mine?.accessToken,
    );
    expect(errorOf(result)).toEqual({ code: 'EMAIL_IN_USE' });
    await expectSignedIn(mine as Auth);
  });

  it('checks the password before saying whether an address is taken', async () => {
    const taken = (await signUp(app)).user.email;
    const auth = await signUp(app);
    const result = await app.gql(
      CHANGE_EMAIL,
      { e: taken, pw: 'not my password' },
      auth.accessToken,
    );
    expect(errorOf(result)).toEqual({ code: 'INVALID_CREDENTIALS' });
  });

  it('refuses a wrong password with INVALID_CREDENTIALS, changing nothing', async () => {
    const [mine] = await threeSessions();
    const result = await app.gql(
      CHANGE_EMAIL,
      { e: uniqueEmail(), pw: 'not my password' },
      mine?.accessToken,
    );
    expect(errorOf(result)).toEqual({ code: 'INVALID_CREDENTIALS' });
    await expectSignedIn(mine as Auth);
    expect((await me(app, mine?.accessToken as string)).data?.me.email).toBe(mine?.user.email);
  });
});

describe('changePassword()', () => {
  it('changes the password, revokes every session and returns a new one', async () => {
    const sessions = await threeSessions();
    const email = sessions[0]?.user.email as string;
    const result = await must(
      app,
      CHANGE_PASSWORD,
      { pw: PASSWORD, new: 'a whole new password' },
      sessions[1]?.accessToken,
    );
    for (const auth of sessions) await expectSignedOut(auth);
    await expectSignedIn(result);
    expect(errorOf(await login(app, email))).toEqual({ code: 'INVALID_CREDENTIALS' });
    expect((await login(app, email, 'a whole new password')).errors).toBeUndefined();
  });

  it('refuses a wrong current password or a too-short new one, changing nothing', async () => {
    const [mine] = await threeSessions();
    const wrong = await app.gql(
      CHANGE_PASSWORD,
      { pw: 'not my password', new: 'a whole new password' },
      mine?.accessToken,
    );
    expect(errorOf(wrong)).toEqual({ code: 'INVALID_CREDENTIALS' });
    const short = await app.gql(CHANGE_PASSWORD, { pw: PASSWORD, new: 'short' }, mine?.accessToken);
    expect(errorOf(short)).toEqual({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    await expectSignedIn(mine as Auth);
    expect((await login(app, mine?.user.email as string)).errors).toBeUndefined();
  });
});
