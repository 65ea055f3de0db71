// A bounded stress run of the races and limits of issue #6, against two production-built
// instances (A and B) on one database, real argon2 parameters, client IPs via X-Forwarded-For
// (TRUST_PROXY). Prints and records how many sessions and passwords came out wrong; every
// "wrong" figure should be 0 and every limit exact. Runs in about a minute.
import { createPasswordHasher } from '../src/auth/passwords.ts';
import {
  AUTH_FIELDS,
  type Auth,
  cheapPasswords,
  type GraphQLResult,
  PASSWORD,
  startApp,
  type TestApp,
  uniqueEmail,
} from '../test/app.ts';
import { benchDatabase, record } from './support.ts';

const database = await benchDatabase();
const start = (passwords = createPasswordHasher()) =>
  startApp({
    databaseUrl: database.url,
    passwords,
    loginMaxFailures: 10,
    ipMaxFailures: 100,
    signupMaxPerIp: 20,
    trustProxy: true,
    production: true,
  });
const [a, b] = [await start(), await start()] as [TestApp, TestApp];
// Signs up with cheap hashes (and from its own IPs), so A and B see them as outdated.
const seeder = await start(cheapPasswords);

const NEW = 'a brand new passphrase';
const LOGIN = `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { ${AUTH_FIELDS} } }`;
const SIGN_UP = `mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { ${AUTH_FIELDS} } }`;
const CHANGE = `mutation($pw: String!, $new: String!) { changePassword(currentPassword: $pw, newPassword: $new) { ${AUTH_FIELDS} } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let ipCounter = 0;
/** A client of its own: a /64 of the IPv6 documentation range (only ever a header value). */
const freshIp = () => {
  ipCounter += 1;
  return {
    'x-forwarded-for': `2001:db8:${(ipCounter >> 16).toString(16)}:${(ipCounter & 0xffff).toString(16)}::1`,
  };
};
const codeOf = (r: GraphQLResult) => (r.errors?.[0]?.extensions.code as string) ?? 'OK';
const loginAs = (app: TestApp, email: string, password: string, ip = freshIp()) =>
  app.gql(LOGIN, { e: email, p: password }, null, ip);
async function newUser(): Promise<{ email: string; auth: Auth }> {
  const email = uniqueEmail('stress');
  const r = await seeder.gql(SIGN_UP, { e: email, p: PASSWORD }, null, freshIp());
  return { email, auth: r.data?.signUp as Auth };
}
const alive = async (token: string) => Boolean((await a.gql('{ me { id } }', {}, token)).data?.me);
const rows: string[] = [];
const row = (what: string, figure: string) => {
  rows.push(`| ${what} | ${figure} |`);
  process.stdout.write(`${what}: ${figure}\n`);
};

try {
  // 1. changePassword on A, and 8 logins with the old password on B 0-150 ms later, 50 users.
  {
    let logins = 0;
    let survivors = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const { email, auth } = await newUser();
        const attempts = Array.from({ length: 8 }, () =>
          sleep(Math.random() * 150).then(() => loginAs(b, email, PASSWORD)),
        );
        await a.gql(CHANGE, { pw: PASSWORD, new: NEW }, auth.accessToken, freshIp());
        for (const r of await Promise.all(attempts)) {
          const token = (r.data?.login as Auth | undefined)?.accessToken;
          if (!token) continue;
          logins += 1;
          if (await alive(token)) survivors += 1;
        }
      }),
    );
    row(
      'old-password logins racing changePassword (50 users × 8): live sessions afterwards',
      `${survivors} of ${logins} that succeeded`,
    );
  }
  // 2. The argon2 upgrade on login racing changePassword: is the old password back?
  {
    let reverted = 0;
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        const { email, auth } = await newUser();
        const attempts = Array.from({ length: 4 }, (_, i) =>
          sleep(i * 5).then(() => loginAs(a, email, PASSWORD)),
        );
        await b.gql(CHANGE, { pw: PASSWORD, new: NEW }, auth.accessToken, freshIp());
        await Promise.all(attempts);
        const oldWorks = codeOf(await loginAs(a, email, PASSWORD)) === 'OK';
        const newWorks = codeOf(await loginAs(a, email, NEW)) === 'OK';
        if (oldWorks || !newWorks) reverted += 1;
      }),
    );
    row('rehash-on-login racing changePassword (30 users): password reverted', String(reverted));
  }
  // 3. Two changePassword at once, on A and B.
  {
    let bothWon = 0;
    let liveAfter = 0;
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        const { auth } = await newUser();
        const results = await Promise.all([
          a.gql(CHANGE, { pw: PASSWORD, new: 'first new password' }, auth.accessToken, freshIp()),
          b.gql(CHANGE, { pw: PASSWORD, new: 'second new password' }, auth.accessToken, freshIp()),
        ]);
        const won = results.filter((r) => r.data?.changePassword);
        if (won.length === 2) bothWon += 1;
        for (const r of won)
          if (await alive((r.data?.changePassword as Auth | undefined)?.accessToken ?? '')) {
            liveAfter += 1;
          }
      }),
    );
    row('two changePassword at once (30 users): both won', String(bothWon));
    row(
      'two changePassword at once (30 users): sessions live afterwards (30 expected)',
      String(liveAfter),
    );
  }
  // 4. 200 correct logins at once from one IP to 200 accounts.
  {
    const users = await Promise.all(Array.from({ length: 200 }, newUser));
    const ip = freshIp();
    const results = await Promise.all(
      users.map(({ email }, i) => loginAs(i % 2 ? a : b, email, PASSWORD, ip)),
    );
    const refused = results.filter((r) => codeOf(r) !== 'OK').length;
    const next = codeOf(await loginAs(a, users[0]?.email as string, PASSWORD, ip));
    row('200 correct logins at once from one IP: refused', String(refused));
    row('the next correct login from that IP', next);
  }
  // 5. 30 wrong guesses at once for one account and IP, across A and B (limit 10).
  {
    const { email } = await newUser();
    const ip = freshIp();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => loginAs(i % 2 ? a : b, email, `guess ${i}`, ip)),
    );
    row(
      '30 wrong guesses at once, limit 10: passwords checked',
      String(results.filter((r) => codeOf(r) === 'INVALID_CREDENTIALS').length),
    );
  }
  // 6. 12 wrong guesses, each from another address of one IPv6 /64 (limit 10).
  {
    const { email } = await newUser();
    const codes: string[] = [];
    for (let i = 1; i <= 12; i++) {
      codes.push(
        codeOf(
          await loginAs(a, email, 'wrong password', {
            'x-forwarded-for': `2001:db8:ffff:${ipCounter.toString(16)}::${i.toString(16)}`,
          }),
        ),
      );
    }
    row(
      '12 wrong guesses from 12 addresses of one /64, limit 10: passwords checked',
      String(codes.filter((c) => c === 'INVALID_CREDENTIALS').length),
    );
  }
  // 7. 30 sign-ups from one IP (SIGNUP_MAX_PER_IP=20), alternating A and B.
  {
    const ip = freshIp();
    const results = [];
    for (let i = 0; i < 30; i++)
      results.push(
        await (i % 2 ? a : b).gql(SIGN_UP, { e: uniqueEmail('signup'), p: PASSWORD }, null, ip),
      );
    row(
      '30 sign-ups from one IP, SIGNUP_MAX_PER_IP=20: accounts created',
      String(results.filter((r) => codeOf(r) === 'OK').length),
    );
  }
  record(
    'Races and limits under stress (issue #6)',
    'npm run bench:stress-races',
    `Two instances on one database, argon2id m=19456 t=2 p=1, client IPs via X-Forwarded-For.\n\n| what | figure |\n|---|---|\n${rows.join('\n')}`,
  );
} finally {
  await Promise.all([a.close(), b.close(), seeder.close()]);
  await database.close();
}
