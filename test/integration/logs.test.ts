import { expect, it } from 'vitest';
import { generateToken } from '../../src/auth/tokens.ts';
import { createLogger } from '../../src/log.ts';
import {
  type Auth,
  login,
  must,
  PASSWORD,
  refresh,
  signUp,
  uniqueEmail,
  useTestAppBehindProxy,
} from './harness.ts';

const lines: string[] = [];
const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
const { app, proxy } = useTestAppBehindProxy({ logger });

it('logs every request as JSON with a request id, and never a token or a password', async () => {
  const email = uniqueEmail();
  const secrets = [email, PASSWORD, 'wrong password!', 'the second password', 'the third password'];
  const first = await signUp(app, email);
  await login(app, email, 'wrong password!');
  const second = (await login(app, email)).data?.login as Auth;
  const rotated = (await refresh(app, second.refreshToken)).data?.refreshToken as Auth;
  await refresh(app, second.refreshToken); // a retry within the window
  await app.gql('{ me { id } sessions { id } securityEvents { type } }', {}, rotated.accessToken);
  await app.gql('{ me { id } }', {}, `${first.accessToken}x`); // a rejected token
  await fetch(
    `${app.url}/graphql?query=${encodeURIComponent(`mutation { login(email: "${email}", password: "the third password") { accessToken } }`)}`,
  );
  const changed = await must(
    app,
    `mutation { changePassword(currentPassword: "${PASSWORD}", newPassword: "the second password") { accessToken refreshToken } }`,
    {},
    rotated.accessToken,
  );
  proxy.cut(); // errors get logged too: they must not carry secrets either
  await login(app, email, 'the second password');
  proxy.restore();
  await must(app, 'mutation { logout }', {}, changed.accessToken);
  secrets.push(
    ...[first, second, rotated, changed].flatMap((a) => [a.accessToken, a.refreshToken]),
  );

  const output = lines.join('');
  const records = lines.map((line) => JSON.parse(line));
  const requests = records.filter((r) => r.msg === 'request');
  expect(requests).toHaveLength(11); // one line per request, no more
  for (const request of requests) {
    expect(request.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.path).toBe('/graphql');
  }
  expect(
    records.some(
      (r) => r.level === 40 && r.msg === 'the database cannot be reached' && r.requestId,
    ),
  ).toBe(true);
  for (const secret of secrets) {
    expect(output).not.toContain(secret);
    expect(output).not.toContain(encodeURIComponent(secret));
  }
  expect(output).not.toMatch(/tsa_|tsr_|Bearer /);
});

it('echoes a caller’s plain X-Request-Id, and replaces one that is not plain', async () => {
  const mine = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'trace-abc.123' } });
  expect(mine.headers.get('x-request-id')).toBe('trace-abc.123');
  const hostile = await fetch(`${app.url}/healthz`, {
    headers: { 'x-request-id': 'a b"c<script>' },
  });
  expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

it('puts the operation, its error codes and who asked on the request line, and nothing secret', async () => {
  const from = lines.length;
  const email = uniqueEmail();
  let n = 0;
  /** A request with an id of its own, so that its line can be found. */
  const tagged = (query: string, variables?: Record<string, unknown>, token?: string | null) => {
    n += 1;
    const requestId = `fields-${process.pid}-${n}`;
    return app
      .gql(query, variables, token, { 'x-request-id': requestId })
      .then((result) => ({ result, requestId }));
  };
  const signedUp = await tagged(
    `mutation SignMeUp($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { accessToken refreshToken user { id } session { id } } }`,
    { e: email, p: PASSWORD },
  );
  const auth = signedUp.result.data?.signUp as Auth;
  const dashboard = await tagged(
    'query Dashboard { me { id } sessions { id } }',
    {},
    auth.accessToken,
  );
  const wrong = await tagged(
    'mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    { e: email, p: 'wrong password!' },
  );
  const rejected = await tagged('{ me { id } }', {}, `${auth.accessToken}x`);
  const unparsable = await tagged('{ me { id }');
  proxy.cut();
  // The context cannot check the token: Apollo answers before its request pipeline runs.
  const unavailable = await tagged('{ me { id } }', {}, generateToken('access'));
  proxy.restore();
  const missing = await fetch(`${app.url}/nowhere`, { headers: { 'x-request-id': 'fields-404' } });
  expect(missing.status).toBe(404);

  const records = lines.slice(from).map((line) => JSON.parse(line));
  const lineOf = (requestId: string) =>
    records.find((r) => r.msg === 'request' && r.requestId === requestId);
  expect(lineOf(signedUp.requestId)).toMatchObject({
    operationName: 'SignMeUp',
    operationType: 'mutation',
    rootFields: ['signUp'],
    errorCodes: [],
    userId: auth.user.id,
    sessionId: auth.session.id,
    status: 200,
  });
  expect(lineOf(dashboard.requestId)).toMatchObject({
    operationName: 'Dashboard',
    operationType: 'query',
    rootFields: ['me', 'sessions'],
    errorCodes: [],
    userId: auth.user.id,
    sessionId: auth.session.id,
  });
  const failedLogin = lineOf(wrong.requestId);
  expect(failedLogin).toMatchObject({
    operationType: 'mutation',
    rootFields: ['login'],
    errorCodes: ['INVALID_CREDENTIALS'],
  });
  expect(failedLogin).not.toHaveProperty('operationName');
  expect(failedLogin).not.toHaveProperty('userId'); // the account is not told to the log either
  expect(lineOf(rejected.requestId)).toMatchObject({ errorCodes: ['UNAUTHENTICATED'] });
  expect(lineOf(rejected.requestId)).not.toHaveProperty('userId');
  expect(lineOf(unparsable.requestId)).toMatchObject({ errorCodes: ['GRAPHQL_PARSE_FAILED'] });
  expect(lineOf(unparsable.requestId)).not.toHaveProperty('operationType');
  expect(unavailable.result.status).toBe(503);
  expect(lineOf(unavailable.requestId)).toMatchObject({ errorCodes: ['SERVICE_UNAVAILABLE'] });
  expect(lineOf('fields-404')).toMatchObject({ path: '/nowhere', errorCodes: ['NOT_FOUND'] });

  const output = lines.slice(from).join('');
  for (const secret of [email, PASSWORD, 'wrong password!', auth.accessToken, auth.refreshToken]) {
    expect(output).not.toContain(secret);
  }
  expect(output).not.toMatch(/tsa_|tsr_|Bearer |@example\.com/);
});
