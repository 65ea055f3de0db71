// Email addresses longer than RFC 5321 allows are refused as input, like any malformed address:
// BAD_USER_INPUT naming the argument, before a password is hashed or the database is asked.
import { describe, expect, it } from 'vitest';
import { errorOf, PASSWORD, signUp, uniqueEmail, useTestApp } from './harness.ts';

const app = useTestApp();

const SIGN_UP =
  'mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { accessToken } }';
const LOGIN =
  'mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { accessToken } }';

/** A well-formed address of exactly `length` characters, unique to this run. */
const emailOf = (length: number) => {
  const domain = '@example.com';
  return (uniqueEmail().split('@')[0] as string).padEnd(length - domain.length, 'x') + domain;
};

describe('an email address over 254 characters (RFC 5321)', () => {
  it('is refused by signUp and login with BAD_USER_INPUT naming the argument, as a variable', async () => {
    const long = emailOf(255);
    expect(long).toHaveLength(255);
    for (const mutation of [SIGN_UP, LOGIN]) {
      const result = await app.gql(mutation, { e: long, p: PASSWORD });
      expect(errorOf(result)).toEqual({ code: 'BAD_USER_INPUT', field: 'email' });
      expect(result.status).toBe(400);
      expect(JSON.stringify(result.errors)).not.toContain(long.slice(0, 40));
    }
  });

  it('is refused the same way as a literal', async () => {
    const long = emailOf(300);
    for (const field of ['signUp', 'login']) {
      const result = await app.gql(
        `mutation { ${field}(email: "${long}", password: "${PASSWORD}") { accessToken } }`,
      );
      expect(errorOf(result)).toEqual({ code: 'BAD_USER_INPUT', field: 'email' });
      expect(JSON.stringify(result.errors)).not.toContain(long.slice(0, 40));
    }
  });

  it('is refused in changeEmail too, while 254 characters are accepted', async () => {
    const auth = await signUp(app);
    const result = await app.gql(
      'mutation($e: EmailAddress!) { changeEmail(newEmail: $e, currentPassword: "x") { accessToken } }',
      { e: emailOf(255) },
      auth.accessToken,
    );
    expect(errorOf(result)).toEqual({ code: 'BAD_USER_INPUT', field: 'newEmail' });
    const longest = emailOf(254);
    await expect(signUp(app, longest)).resolves.toMatchObject({
      user: { email: longest.toLowerCase() },
    });
  });
});
