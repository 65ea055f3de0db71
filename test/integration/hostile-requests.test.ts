// Bad input, tried systematically: each hostile request gets a clear 4xx or a contract error
// code, never a 5xx, and leaves accounts, sessions and tokens as they were.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validateAccessToken } from '../../src/auth/access-tokens.ts';
import { rotateRefreshToken } from '../../src/auth/refresh-tokens.ts';
import { noRevocationBus } from '../../src/auth/revocation-bus.ts';
import { isWellFormedToken } from '../../src/auth/tokens.ts';
import { AppError } from '../../src/errors.ts';
import { createMigratedDatabase } from '../database.ts';
import {
  type Auth,
  cheapPasswords,
  DEFAULT_SETTINGS,
  login,
  me,
  requestStatements,
  signUp,
  startTestApp,
  type TestApp,
} from './harness.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

let database: { url: string; drop(): Promise<void> };
let proxy: TcpProxy; // sees every statement on the wire
let app: TestApp;
let db: pg.Client;
let victim: Auth;
beforeAll(async () => {
  database = await createMigratedDatabase(inject('databaseUrl'));
  proxy = await startTcpProxy(database.url);
  app = await startTestApp({ databaseUrl: proxy.url });
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
  victim = await signUp(app);
});
afterAll(async () => {
  await db.end();
  await app.close();
  await proxy.close();
  await database.drop();
});

async function snapshot(): Promise<string> {
  const { rows } = await db.query(`select
    (select json_agg(u order by id) from users u) as users,
    (select json_agg(s order by id) from sessions s) as sessions,
    (select json_agg(a order by id) from access_tokens a) as access_tokens,
    (select json_agg(r order by id) from refresh_tokens r) as refresh_tokens`);
  return JSON.stringify(rows[0]);
}

const JSON_TYPE = { 'content-type': 'application/json' };
const gqlBody = (query: string, variables?: unknown) => JSON.stringify({ query, variables });
const LOGIN =
  'mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { accessToken } }';

type Hostile = [name: string, init: () => RequestInit & { url?: string }];
const hostile: Hostile[] = [
  [
    'an oversized body',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody('{ me { id } }', { pad: 'x'.repeat(70_000) }),
    }),
  ],
  [
    'an oversized header',
    () => ({
      method: 'POST',
      headers: { ...JSON_TYPE, 'x-pad': 'x'.repeat(20_000) },
      body: gqlBody('{ __typename }'),
    }),
  ],
  ['a body that is not JSON', () => ({ method: 'POST', headers: JSON_TYPE, body: '{"query": ' })],
  [
    'invalid UTF-8',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: Buffer.from([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x7d]),
    }),
  ],
  [
    'the wrong content type',
    () => ({
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: gqlBody('{ __typename }'),
    }),
  ],
  [
    'a form post',
    () => ({ method: 'POST', body: new URLSearchParams({ query: '{ __typename }' }) }),
  ],
  ['a JSON null', () => ({ method: 'POST', headers: JSON_TYPE, body: 'null' })],
  [
    'a query that is not a string',
    () => ({ method: 'POST', headers: JSON_TYPE, body: '{"query": 5}' }),
  ],
  [
    'variables that are not an object',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"query": "{ __typename }", "variables": "x"}',
    }),
  ],
  [
    'a batch',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    }),
  ],
  [
    'deep nesting',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody(
        `{ ${'__type(name: "Query") { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } }'} }`,
      ),
    }),
  ],
  [
    'an alias bomb',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody(`{ ${Array.from({ length: 500 }, (_, i) => `a${i}: __typename`).join(' ')} }`),
    }),
  ],
  [
    'a token flood',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody(`{ ${'__typename '.repeat(5000)} }`),
    }),
  ],
  [
    'huge variables',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody(LOGIN, { e: 'a@b.co', p: 'p'.repeat(60_000) }),
    }),
  ],
  [
    'a huge literal number',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody('{ securityEvents(first: 99999999999999999999) { id } }'),
    }),
  ],
  [
    'a mutation over GET',
    () => ({
      method: 'GET',
      headers: { 'apollo-require-preflight': '1' },
      url: `?query=${encodeURIComponent('mutation { logout }')}`,
    }),
  ],
  ['PUT', () => ({ method: 'PUT', headers: JSON_TYPE, body: gqlBody('{ __typename }') })],
  [
    'SQL in the email and password',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody(LOGIN, { e: "x'or'1'='1@example.com", p: "' or 1=1; drop table users; --" }),
    }),
  ],
  [
    'SQL aimed at the victim',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody(LOGIN, { e: victim.user.email, p: "' OR ''='" }),
    }),
  ],
  [
    'NUL in the email',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody(LOGIN, { e: 'a\u0000@example.com', p: 'whatever1' }),
    }),
  ],
  [
    'NUL in the password',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody(LOGIN, { e: victim.user.email, p: `correct horse battery staple\u0000` }),
    }),
  ],
  [
    'a lone surrogate in a new password',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody(
        'mutation($p: String!) { signUp(email: "s@example.com", password: $p) { accessToken } }',
        { p: '\ud800abcdefgh' },
      ),
    }),
  ],
  [
    'NUL in a refresh token',
    () => ({
      method: 'POST',
      headers: JSON_TYPE,
      body: gqlBody('mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', {
        t: 'tsr_\u0000',
      }),
    }),
  ],
  [
    'NUL in a session id',
    () => ({
      method: 'POST',
      headers: { ...JSON_TYPE, authorization: `Bearer ${victim.accessToken}` },
      body: gqlBody('mutation($id: ID!) { revokeSession(id: $id) }', { id: '\u0000' }),
    }),
  ],
  [
    'a 10 kB Authorization header',
    () => ({
      method: 'POST',
      headers: { ...JSON_TYPE, authorization: `Bearer ${'a'.repeat(10_000)}` },
      body: gqlBody('{ me { id } }'),
    }),
  ],
];

const CONTRACT_CODES = new Set([
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'INVALID_REFRESH_TOKEN',
  'REAUTHENTICATION_REQUIRED',
  'EMAIL_IN_USE',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'RATE_LIMITED',
]);

describe('hostile requests', () => {
  it.each(hostile)(
    '%s get a 4xx or a contract error, never a 5xx, and change nothing',
    async (_, make) => {
      const before = await snapshot();
      const { url = '', ...init } = make();
      const response = await fetch(`${app.url}/graphql${url}`, init);
      const text = await response.text();
      expect(response.status).toBeLessThan(500);
      if (response.status === 200) {
        const codes = (JSON.parse(text).errors ?? []).map(
          (e: { extensions: { code: string } }) => e.extensions.code,
        );
        expect(codes.length).toBeGreaterThan(0);
        for (const code of codes) expect(CONTRACT_CODES).toContain(code);
      } else {
        expect(response.status).toBeGreaterThanOrEqual(400);
      }
      expect(text).not.toMatch(/at \w+ \(|node_modules|select |insert |postgres/i); // no stacks or SQL
      expect(await snapshot()).toBe(before);
    },
  );

  it('leave the victim able to sign in, and the server answering', async () => {
    expect((await me(app, victim.accessToken)).data?.me.id).toBe(victim.user.id);
    expect((await login(app, victim.user.email)).errors).toBeUndefined();
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  });
});

describe('for any string presented as a token', () => {
  const refuseUse = () => {
    throw new Error('a token check must not touch the password throttle');
  };
  const deps = () => ({
    clock: app.clock,
    settings: DEFAULT_SETTINGS,
    passwords: cheapPasswords,
    throttle: { beginPasswordCheck: refuseUse, admitSignUp: refuseUse },
    revocations: noRevocationBus,
  });
  const meta = { ipAddress: null, userAgent: null };

  it('an access token that is not well formed costs no database query', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (raw) => {
        const before = proxy.statements.length;
        const result = await validateAccessToken(app.orm.em.fork(), raw, {
          settings: DEFAULT_SETTINGS,
          now: new Date(),
          revocations: noRevocationBus,
        });
        expect(result).toEqual({ kind: 'rejected', reason: 'MALFORMED' });
        expect(requestStatements(proxy, before)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('a refresh token that is not well formed is refused as INVALID with no database query', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (raw) => {
        fc.pre(!isWellFormedToken(raw, 'refresh'));
        const before = proxy.statements.length;
        const attempt = rotateRefreshToken({ em: app.orm.em.fork(), deps: deps(), meta }, raw);
        await expect(attempt).rejects.toBeInstanceOf(AppError);
        await expect(attempt).rejects.toMatchObject({
          code: 'INVALID_REFRESH_TOKEN',
          extensions: { reason: 'INVALID' },
        });
        expect(requestStatements(proxy, before)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
