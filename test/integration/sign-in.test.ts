import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  AUTH_FIELDS,
  errorOf,
  login,
  me,
  PASSWORD,
  signUp,
  uniqueEmail,
  useTestApp,
} from './harness.ts';

const app = useTestApp();

describe('signUp()', () => {
  it('creates the account and returns a working Bearer pair with the contract prefixes', async () => {
    const email = uniqueEmail();
    const auth = await signUp(app, email.toUpperCase());
    expect(auth.tokenType).toBe('Bearer');
    expect(auth.accessToken).toMatch(/^tsa_[A-Za-z0-9_-]{49}$/);
    expect(auth.refreshToken).toMatch(/^tsr_[A-Za-z0-9_-]{49}$/);
    expect(auth.expiresIn).toBe(900);
    expect(auth.user.email).toBe(email.toLowerCase());
    expect(auth.session.current).toBe(true);
    const now = app.clock.now().getTime();
    expect(new Date(auth.accessTokenExpiresAt).getTime()).toBe(now + 900_000);
    expect(new Date(auth.refreshTokenExpiresAt).getTime()).toBe(now + 1_209_600_000);
    expect(new Date(auth.session.expiresAt).getTime()).toBe(now + 2_592_000_000);
    const result = await me(app, auth.accessToken);
    expect(result.data?.me).toEqual({ id: auth.user.id, email: email.toLowerCase() });
  });

  it('refuses an email another account has, whatever its case and padding, with EMAIL_IN_USE', async () => {
    const email = uniqueEmail();
    await signUp(app, email);
    for (const padded of [`  ${email.toUpperCase()}`, `${email}\t `, ` ${email} `]) {
      const variable = await app.gql(
        'mutation($e: EmailAddress!) { signUp(email: $e, password: "long enough pw") { accessToken } }',
        { e: padded },
      );
      expect(errorOf(variable)).toEqual({ code: 'EMAIL_IN_USE' });
      const literal = await app.gql(
        `mutation { signUp(email: ${JSON.stringify(padded)}, password: "long enough pw") { accessToken } }`,
      );
      expect(errorOf(literal)).toEqual({ code: 'EMAIL_IN_USE' });
    }
  });

  it('stores a padded email trimmed, and signs in with it padded or not', async () => {
    const email = uniqueEmail();
    const auth = await signUp(app, `  ${email.toUpperCase()} `);
    expect(auth.user.email).toBe(email);
    expect(errorOf(await login(app, email))).toEqual({});
    expect((await login(app, `${email}  `)).data?.login.user.email).toBe(email);
  });

  it('lets exactly one of two simultaneous signUps for one address win', async () => {
    const email = uniqueEmail('race');
    const query = `mutation($e: EmailAddress!) { signUp(email: $e, password: "${PASSWORD}") { accessToken } }`;
    const results = await Promise.all([app.gql(query, { e: email }), app.gql(query, { e: email })]);
    const codes = results.map((r) => (r.errors ? errorOf(r).code : 'OK')).sort();
    expect(codes).toEqual(['EMAIL_IN_USE', 'OK']);
  });

  it.each([
    ['too short', 'seven77'],
    ['too long', 'x'.repeat(257)],
  ])('refuses a password %s with BAD_USER_INPUT naming the field', async (_, password) => {
    const result = await app.gql(
      'mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { accessToken } }',
      { e: uniqueEmail(), p: password },
    );
    expect(errorOf(result)).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
  });

  it('accepts passwords of exactly 8 and 256 characters, counted as characters not bytes', async () => {
    await expect(signUp(app, uniqueEmail(), '12345678')).resolves.toBeTruthy();
    await expect(signUp(app, uniqueEmail(), 'é'.repeat(256))).resolves.toBeTruthy();
  });

  it('refuses a malformed email with BAD_USER_INPUT naming the argument, inline or as a variable', async () => {
    const inline = await app.gql(
      'mutation { signUp(email: "not-an-email", password: "long enough pw") { accessToken } }',
    );
    expect(errorOf(inline)).toEqual({ code: 'BAD_USER_INPUT', field: 'email' });
    const variable = await app.gql(
      'mutation($x: EmailAddress!) { signUp(email: $x, password: "long enough pw") { accessToken } }',
      { x: 'nope' },
    );
    expect(errorOf(variable)).toEqual({ code: 'BAD_USER_INPUT', field: 'email' });
    expect(JSON.stringify(variable.errors)).not.toContain('nope');
  });
});

describe('login()', () => {
  it('starts a new session with new tokens on every password entry, leaving the others alive', async () => {
    const email = uniqueEmail();
    const first = await signUp(app, email);
    const second = (await login(app, email.toUpperCase())).data?.login;
    expect(second.session.id).not.toBe(first.session.id);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await me(app, first.accessToken)).data?.me.email).toBe(email);
    expect((await me(app, second.accessToken)).data?.me.email).toBe(email);
  });

  it('gives the same code and message for an unknown email and a wrong password', async () => {
    const email = uniqueEmail();
    await signUp(app, email);
    const wrongPassword = await login(app, email, 'not the password');
    const unknownEmail = await login(app, uniqueEmail('nobody'), PASSWORD);
    expect(errorOf(wrongPassword)).toEqual({ code: 'INVALID_CREDENTIALS' });
    expect(errorOf(unknownEmail)).toEqual({ code: 'INVALID_CREDENTIALS' });
    expect(wrongPassword.errors?.[0]?.message).toBe(unknownEmail.errors?.[0]?.message);
  });

  it('is not stopped by a stale or garbage Authorization header', async () => {
    const email = uniqueEmail();
    const auth = await signUp(app, email);
    await app.gql('mutation { logout }', {}, auth.accessToken);
    const query = `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { ${AUTH_FIELDS} } }`;
    for (const header of [
      `Bearer ${auth.accessToken}`,
      'Bearer garbage',
      'Basic dXNlcjpwdw==',
      'Bearer',
    ]) {
      const result = await app.gql(query, { e: email, p: PASSWORD }, null, {
        authorization: header,
      });
      expect(result.errors).toBeUndefined();
      expect(result.data?.login.accessToken).toMatch(/^tsa_/);
    }
  });

  it('accepts a padded Authorization header, the padding sent byte for byte', async () => {
    const auth = await signUp(app);
    // Not fetch: it strips leading and trailing whitespace from header values before sending.
    const body = JSON.stringify({ query: '{ me { id } }' });
    for (const header of [`Bearer    ${auth.accessToken}`, ` Bearer ${auth.accessToken}   `]) {
      const answer = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${app.url}/graphql`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: header },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              text += chunk;
            });
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      expect(JSON.parse(answer).data?.me.id).toBe(auth.user.id);
    }
  });
});
