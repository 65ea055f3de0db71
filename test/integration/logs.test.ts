import { expect, it } from 'vitest';
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
  const secrets = [PASSWORD, 'wrong password!', 'the second password', 'the third password'];
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
