// Failed-password throttling with two server instances on one database, defaults as shipped
// (LOGIN_MAX_FAILURES=10 per (email, IP) per 15 minutes, 100 per IP per day): who refuses,
// when, for how long, and whom it leaves alone. Client IPs come through X-Forwarded-For
// (TRUST_PROXY) so one machine can play several clients.
import { createPasswordHasher } from '../src/auth/passwords.ts';
import { PASSWORD, signUp, startApp, type TestApp, uniqueEmail } from '../test/app.ts';
import { benchDatabase, record } from './support.ts';

const database = await benchDatabase();
const passwords = createPasswordHasher();
const start = () =>
  startApp({
    databaseUrl: database.url,
    passwords,
    loginMaxFailures: 10,
    ipMaxFailures: 100,
    trustProxy: true,
    production: true,
  });
const [a, b] = [await start(), await start()] as [TestApp, TestApp];
const LOGIN =
  'mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
const attempt = (app: TestApp, email: string, password: string, ip: string) =>
  app.gql(LOGIN, { e: email, p: password }, null, { 'x-forwarded-for': ip });
const outcome = (r: Awaited<ReturnType<typeof attempt>>) =>
  r.errors
    ? `${r.errors[0]?.extensions.code}${r.errors[0]?.extensions.retryAfter ? ` (retryAfter ${r.errors[0]?.extensions.retryAfter} s)` : ''}`
    : 'signed in';

try {
  const lines: string[] = [];
  const email = uniqueEmail('victim');
  await signUp(a, email);

  lines.push('| # | instance | client IP | password | answer |', '|---|---|---|---|---|');
  for (let i = 1; i <= 11; i++) {
    const app = i % 2 ? a : b;
    const result = await attempt(app, email, `guess ${i}`, '203.0.113.1');
    lines.push(`| ${i} | ${i % 2 ? 'A' : 'B'} | 203.0.113.1 | wrong | ${outcome(result)} |`);
  }
  lines.push(
    `| 12 | A | 203.0.113.1 | **right** | ${outcome(await attempt(a, email, PASSWORD, '203.0.113.1'))} |`,
  );
  lines.push(
    `| 13 | B | 203.0.113.1 | **right** | ${outcome(await attempt(b, email, PASSWORD, '203.0.113.1'))} |`,
  );
  lines.push(
    `| 14 | B | 198.51.100.2 | **right** | ${outcome(await attempt(b, email, PASSWORD, '198.51.100.2'))} |`,
  );

  // One IP spraying many accounts: the per-IP daily limit.
  let firstRefusal = 0;
  for (let i = 1; i <= 101 && !firstRefusal; i++) {
    const result = await attempt(i % 2 ? a : b, uniqueEmail('spray'), 'password123', '192.0.2.77');
    if (result.errors?.[0]?.extensions.code === 'RATE_LIMITED') firstRefusal = i;
  }
  const sprayRefusal = await attempt(a, email, PASSWORD, '192.0.2.77');

  record(
    'Throttling with two instances on one database',
    'npm run bench:throttle',
    `Instances A and B share one PostgreSQL; attempts alternate between them.

${lines.join('\n')}

One client IP (192.0.2.77) spraying one wrong password over many accounts, alternating instances:
first refused at attempt **${firstRefusal || 'never'}** (limit 100 per IP per day); the victim's right
password from that IP then gets: ${outcome(sprayRefusal)}.`,
  );
} finally {
  await a.close();
  await b.close();
  await database.close();
}
