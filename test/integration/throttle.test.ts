import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPasswordHasher } from '../../src/auth/passwords.ts';
import {
  type Auth,
  errorOf,
  login,
  must,
  PASSWORD,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './harness.ts';

const LIMIT = 3;
let app: TestApp;
let other: TestApp;
beforeAll(async () => {
  app = await startTestApp({ loginMaxFailures: LIMIT });
  other = await startTestApp({ loginMaxFailures: LIMIT });
});
afterAll(async () => {
  await app.close();
  await other.close();
});

async function failLogins(target: TestApp, email: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    expect(errorOf(await login(target, email, 'wrong password!'))).toEqual({
      code: 'INVALID_CREDENTIALS',
    });
  }
}

describe('failed-password throttling', () => {
  it('refuses the attempt after LOGIN_MAX_FAILURES, even with the right password, with retryAfter', async () => {
    const email = uniqueEmail();
    await signUp(app, email);
    await failLogins(app, email, LIMIT);
    const refused = await login(app, email);
    expect(errorOf(refused)).toEqual({ code: 'RATE_LIMITED' });
    const retryAfter = refused.errors?.[0]?.extensions.retryAfter;
    expect(retryAfter).toBeGreaterThan(850);
    expect(retryAfter).toBeLessThanOrEqual(900);
  });

  it('holds against many wrong guesses sent at once: no more than the limit are checked', async () => {
    const email = uniqueEmail();
    await signUp(app, email);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(i % 2 ? app : other, email, `guess ${i}`)),
    );
    const codes = results.map((r) => errorOf(r).code);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(LIMIT);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(20 - LIMIT);
  });

  it('counts unknown emails the same way, so limits reveal nothing either', async () => {
    const email = uniqueEmail('nobody');
    await failLogins(app, email, LIMIT);
    expect(errorOf(await login(app, email))).toEqual({ code: 'RATE_LIMITED' });
  });

  it('clears the (email, IP) count on a success', async () => {
    const email = uniqueEmail();
    await signUp(app, email);
    await failLogins(app, email, LIMIT - 1);
    expect((await login(app, email)).errors).toBeUndefined();
    await failLogins(app, email, LIMIT - 1);
    expect((await login(app, email)).errors).toBeUndefined();
  });

  it('is shared by every instance on the database', async () => {
    const email = uniqueEmail();
    await signUp(app, email);
    await failLogins(app, email, LIMIT - 1);
    await failLogins(other, email, 1);
    expect(errorOf(await login(other, email))).toEqual({ code: 'RATE_LIMITED' });
    expect(errorOf(await login(app, email))).toEqual({ code: 'RATE_LIMITED' });
  });

  it('counts wrong currentPassword checks too, and records RATE_LIMITED on the account', async () => {
    const auth = await signUp(app);
    const change = `mutation($pw: String!) { changePassword(currentPassword: $pw, newPassword: "whatever it is") { accessToken } }`;
    for (let i = 0; i < LIMIT; i++) {
      expect(errorOf(await app.gql(change, { pw: 'wrong password!' }, auth.accessToken))).toEqual({
        code: 'INVALID_CREDENTIALS',
      });
    }
    const refused = await app.gql(change, { pw: PASSWORD }, auth.accessToken);
    expect(errorOf(refused)).toEqual({ code: 'RATE_LIMITED' });
    // Refused again and again: still one RATE_LIMITED event, at the moment the limit was crossed.
    for (let i = 0; i < 3; i++) await app.gql(change, { pw: PASSWORD }, auth.accessToken);
    expect((await app.gql('{ me { id } }', {}, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    const events = await must(app, '{ securityEvents(first: 5) { type } }', {}, auth.accessToken);
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      'RATE_LIMITED',
      'LOGIN_FAILED',
      'LOGIN_FAILED',
      'LOGIN_FAILED',
      'SIGNED_UP',
    ]);
  });

  it('limits one client IP across many emails', async () => {
    const proxied = await startTestApp({ trustProxy: true, ipMaxFailures: 4 });
    try {
      const ip = { 'x-forwarded-for': `203.0.113.${(process.pid % 200) + 1}` };
      const query =
        'mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
      for (let i = 0; i < 4; i++) {
        const result = await proxied.gql(query, { e: uniqueEmail('spray'), p: 'guess' }, null, ip);
        expect(errorOf(result)).toEqual({ code: 'INVALID_CREDENTIALS' });
      }
      const email = uniqueEmail();
      await signUp(proxied, email);
      expect(errorOf(await proxied.gql(query, { e: email, p: PASSWORD }, null, ip))).toEqual({
        code: 'RATE_LIMITED',
      });
      // Another address is not affected.
      expect(
        (
          await proxied.gql(query, { e: email, p: PASSWORD }, null, {
            'x-forwarded-for': '198.51.100.7',
          })
        ).errors,
      ).toBeUndefined();
    } finally {
      await proxied.close();
    }
  });

  it('keeps neither emails nor IPs in the clear in its counters', async () => {
    const email = uniqueEmail('counted');
    await failLogins(app, email, 1);
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      const { rows } = await client.query<{ dump: string }>(
        "select string_agg(key, ',') as dump from rate_limit_entries",
      );
      expect(rows[0]?.dump).toBeTruthy();
      expect(rows[0]?.dump).not.toContain(email);
      expect(rows[0]?.dump).not.toContain('127.0.0.1');
    } finally {
      await client.end();
    }
  });
});

describe('password hashes', () => {
  it('are upgraded to the configured argon2 parameters on a successful login', async () => {
    const email = uniqueEmail();
    const auth: Auth = await signUp(app, email); // made with the tests' cheap parameters
    const production = await startTestApp({ passwords: createPasswordHasher() });
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    try {
      const hashOf = async () =>
        (
          await client.query<{ password_hash: string }>(
            'select password_hash from users where id = $1',
            [auth.user.id],
          )
        ).rows[0]?.password_hash;
      expect(await hashOf()).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
      await failLogins(production, email, 1);
      expect(await hashOf()).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/); // a wrong password changes nothing
      expect((await login(production, email)).errors).toBeUndefined();
      expect(await hashOf()).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect((await login(production, email)).errors).toBeUndefined();
    } finally {
      await client.end();
      await production.close();
    }
  });
});
