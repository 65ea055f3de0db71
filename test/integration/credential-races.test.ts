// A credential check that a committed change has made stale must not leave a session behind:
// logins with the old password or email racing changePassword and changeEmail; the
// argon2 rehash on login racing a password change; two password changes racing each other.
import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/auth/passwords.ts';
import {
  AUTH_FIELDS,
  type Auth,
  errorOf,
  expectRevoked,
  type GraphQLResult,
  login,
  me,
  PASSWORD,
  signUp,
  uniqueEmail,
  useTestApp,
} from './harness.ts';

const app = useTestApp();
// Hashes made with the tests' cheap parameters are outdated to this instance, so every successful
// login through it rewrites the stored hash.
const upgrading = useTestApp({
  passwords: createPasswordHasher({ memoryCost: 2048, timeCost: 1 }),
});
const NEW_PASSWORD = 'a brand new passphrase';
const CHANGE_PASSWORD = `mutation($pw: String!, $new: String!) { changePassword(currentPassword: $pw, newPassword: $new) { ${AUTH_FIELDS} } }`;
const CHANGE_EMAIL = `mutation($e: EmailAddress!, $pw: String!) { changeEmail(newEmail: $e, currentPassword: $pw) { ${AUTH_FIELDS} } }`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Access tokens of the logins that succeeded. */
function issued(results: GraphQLResult[]): string[] {
  return results.flatMap((r) => (r.data?.login ? [(r.data.login as Auth).accessToken] : []));
}

/** How many of these access tokens still answer `me`. */
async function stillSignedIn(tokens: string[]): Promise<number> {
  const answers = await Promise.all(tokens.map((token) => me(app, token)));
  return answers.filter((a) => a.data?.me).length;
}

/**
 * For each of `users` accounts: `change` and, spread over the next 0-60 ms, `logins` logins with
 * the old credentials. Returns the access tokens those logins obtained.
 */
async function raceLoginsAgainst(
  users: number,
  logins: number,
  change: (auth: Auth, email: string) => Promise<GraphQLResult>,
): Promise<string[]> {
  const accounts = await Promise.all(
    Array.from({ length: users }, async () => {
      const email = uniqueEmail('race');
      return { email, auth: await signUp(app, email) };
    }),
  );
  const perUser = await Promise.all(
    accounts.map(async ({ email, auth }) => {
      const changed = change(auth, email);
      const attempts = Array.from({ length: logins }, (_, i) =>
        sleep((i * 60) / logins).then(() => login(app, email, PASSWORD)),
      );
      const result = await changed;
      expect(result.errors).toBeUndefined();
      return issued(await Promise.all(attempts));
    }),
  );
  return perUser.flat();
}

describe('a login racing a change that revokes every session', () => {
  it('keeps no session from an old-password login once changePassword has answered', async () => {
    const tokens = await raceLoginsAgainst(20, 8, (auth) =>
      app.gql(CHANGE_PASSWORD, { pw: PASSWORD, new: NEW_PASSWORD }, auth.accessToken),
    );
    expect(await stillSignedIn(tokens)).toBe(0);
  });

  it('keeps no session from an old-email login once changeEmail has answered', async () => {
    const tokens = await raceLoginsAgainst(20, 8, (auth) =>
      app.gql(CHANGE_EMAIL, { e: uniqueEmail('moved'), pw: PASSWORD }, auth.accessToken),
    );
    expect(await stillSignedIn(tokens)).toBe(0);
  });

  it('lets exactly one of two simultaneous password changes win, and only its session live', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const email = uniqueEmail('twice');
        const auth = await signUp(app, email);
        const [a, b] = await Promise.all([
          app.gql(CHANGE_PASSWORD, { pw: PASSWORD, new: 'first new password' }, auth.accessToken),
          app.gql(CHANGE_PASSWORD, { pw: PASSWORD, new: 'second new password' }, auth.accessToken),
        ]);
        const winners = [a, b].filter((r) => r.data?.changePassword);
        const live = await stillSignedIn(
          winners.map((r) => (r.data?.changePassword as Auth | undefined)?.accessToken ?? ''),
        );
        const worksWith = await Promise.all(
          ['first new password', 'second new password'].map(
            async (pw) => !(await login(app, email, pw)).errors,
          ),
        );
        return { winners: winners.length, live, passwordsThatWork: worksWith.filter(Boolean) };
      }),
    );
    for (const r of results) {
      expect(r.winners).toBe(1);
      expect(r.live).toBe(1);
      expect(r.passwordsThatWork).toHaveLength(1);
    }
  });
});

describe('the argon2 upgrade on login', () => {
  it('never writes back an old password over a concurrent change', async () => {
    for (let round = 0; round < 10; round++) {
      const email = uniqueEmail('rehash');
      const auth = await signUp(app, email);
      const logins = Array.from({ length: 6 }, (_, i) =>
        sleep(i * 3).then(() => login(upgrading, email, PASSWORD)),
      );
      const changed = await app.gql(
        CHANGE_PASSWORD,
        { pw: PASSWORD, new: NEW_PASSWORD },
        auth.accessToken,
      );
      expect(changed.errors).toBeUndefined();
      await Promise.all(logins);
      expect((await login(app, email, NEW_PASSWORD)).errors).toBeUndefined();
      expect((await login(app, email, PASSWORD)).errors?.[0]?.extensions.code).toBe(
        'INVALID_CREDENTIALS',
      );
    }
  });
});

describe('revocations of one account at once', () => {
  it('never deadlock: sign out everywhere and a password change racing logouts all answer, every session ends', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 10; round++) {
      const email = uniqueEmail('deadlock');
      const first = await signUp(app, email);
      const others = await Promise.all(
        Array.from({ length: 6 }, async () => (await login(app, email)).data?.login as Auth),
      );
      const [revoking, ...logouts] = await Promise.all([
        round % 2
          ? app.gql('mutation { revokeAllTokens { revokedSessionCount } }', {}, first.accessToken)
          : app.gql(CHANGE_PASSWORD, { pw: PASSWORD, new: NEW_PASSWORD }, first.accessToken),
        ...others.map((auth) => app.gql('mutation { logout }', {}, auth.accessToken)),
      ]);
      const revokingCode = revoking?.errors?.[0]?.extensions.code;
      if (revokingCode) failures.push(revokingCode);
      for (const r of logouts) {
        // A logout whose token was checked after the revocation committed finds its session
        // already ended: that is the revocation winning, not a failure. A deadlock or a timeout
        // would surface as any other code.
        const { code, reason } = errorOf(r);
        if (code && !(code === 'UNAUTHENTICATED' && reason === 'REVOKED')) failures.push(code);
      }
      // Whichever came first, every session of the account has ended.
      for (const auth of [first, ...others]) await expectRevoked(app, auth);
    }
    expect(failures).toEqual([]);
  });
});
