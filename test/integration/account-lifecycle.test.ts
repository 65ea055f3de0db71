// The account lifecycle (contract section 8): deleting an account leaves nothing of it in any
// table and no token of it working, even when the delete races refreshes and logins; a disabled
// account has no working token on any instance and answers a right password, and only a right
// one, with ACCOUNT_DISABLED; an enabled one signs in again, with its old tokens still dead.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuthRequest } from '../../src/auth/deps.ts';
import { startRevocationBus } from '../../src/auth/revocation-bus.ts';
import { hashToken } from '../../src/auth/tokens.ts';
import { createPool } from '../../src/db/pool.ts';
import { createUserByOperator } from '../../src/users/accounts.ts';
import {
  type AccountRef,
  deleteAccountByOperator,
  disableAccount,
  enableAccount,
} from '../../src/users/lifecycle.ts';
import {
  AUTH_FIELDS,
  type Auth,
  errorOf,
  expectRevoked,
  type GraphQLResult,
  login,
  me,
  PASSWORD,
  refresh,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
  useTestApp,
} from './harness.ts';

const DELETE_ACCOUNT = 'mutation($pw: String!) { deleteAccount(currentPassword: $pw) }';
const CHANGE_PASSWORD = `mutation($pw: String!, $new: String!) { changePassword(currentPassword: $pw, newPassword: $new) { ${AUTH_FIELDS} } }`;
const EVENTS = '{ securityEvents(first: 100) { type } }';

function deleteAccount(app: TestApp, auth: Auth, password = PASSWORD) {
  return app.gql(DELETE_ACCOUNT, { pw: password }, auth.accessToken);
}

/** What the operator CLI hands the domain: this instance's dependencies, no client. */
function operator(app: TestApp): AuthRequest {
  return { em: app.orm.em.fork(), deps: app.auth, meta: { ipAddress: null, userAgent: null } };
}

const byOperator = (account: AccountRef, reason = 'test') => ({ account, actor: 'ops', reason });

let db: pg.Client;
beforeAll(async () => {
  db = new pg.Client({ connectionString: inject('databaseUrl') });
  await db.connect();
});
afterAll(() => db?.end());

/**
 * Rows of any table (but the migrations' own) that hold any of `needles` (ids, token digests,
 * email addresses), by table. Every row is read whole, as text, so that a column added later is
 * covered too; the values in it that look like an id, a digest or an address are looked up.
 */
async function rowsMentioning(needles: string[]): Promise<Record<string, number>> {
  const wanted = new Set(needles.map((needle) => needle.toLowerCase()));
  const { rows: tables } = await db.query<{ name: string }>(
    `select table_name as name from information_schema.tables
       where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'mikro_orm%'`,
  );
  const values =
    /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{64}|[^\s,()"]+@[^\s,()"]+/g;
  const found: Record<string, number> = {};
  for (const { name } of tables) {
    const { rows } = await db.query<{ row: string }>(`select t::text as row from "${name}" t`);
    const hits = rows.filter(({ row }) =>
      (row.toLowerCase().match(values) ?? []).some((value) => wanted.has(value)),
    ).length;
    if (hits > 0) found[name] = hits;
  }
  return found;
}

/** What identifies what was issued: sessions and token digests. */
function issuedNeedles(auths: Auth[]): string[] {
  return auths.flatMap((a) => [a.session.id, hashToken(a.accessToken), hashToken(a.refreshToken)]);
}

/** Everything that identifies an account and what it was issued. */
function needlesOf(userId: string, email: string, auths: Auth[]): string[] {
  return [userId, email, ...issuedNeedles(auths)];
}

/** How many of these tokens still work: access tokens for `me`, refresh tokens for a refresh. */
async function stillWorking(apps: TestApp[], auths: Auth[]): Promise<number> {
  let working = 0;
  // A few dozen requests at a time: thousands at once would only measure the test's sockets.
  for (let i = 0; i < auths.length; i += 25) {
    const some = auths.slice(i, i + 25);
    const checks = apps.flatMap((app) => some.map((auth) => me(app, auth.accessToken)));
    working += (await Promise.all(checks)).filter((r) => r.data?.me).length;
  }
  // Refreshes last: a successful one would mint tokens, and the count says so.
  for (let i = 0; i < auths.length; i += 25) {
    const some = auths.slice(i, i + 25);
    const refreshes = some.map((auth) => refresh(apps[0] as TestApp, auth.refreshToken));
    working += (await Promise.all(refreshes)).filter((r) => r.data?.refreshToken).length;
  }
  return working;
}

describe('deleteAccount', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp(), startTestApp()]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  /** An account with two sessions, a rotated refresh token and a failed password check on record. */
  async function busyAccount(app: TestApp) {
    const email = uniqueEmail('delete');
    const first = await signUp(app, email);
    const second = (await login(app, email)).data?.login as Auth;
    const rotated = (await refresh(app, second.refreshToken)).data?.refreshToken as Auth;
    await app.gql(
      CHANGE_PASSWORD,
      { pw: 'not the password', new: 'whatever it is' },
      first.accessToken,
    );
    return { email, userId: first.user.id, auths: [first, second, rotated] };
  }

  it('with the right password erases the account: no row of it survives in any table', async () => {
    const { email, userId, auths } = await busyAccount(a);
    expect(Object.keys(await rowsMentioning(needlesOf(userId, email, auths)))).toEqual(
      expect.arrayContaining([
        'users',
        'sessions',
        'access_tokens',
        'refresh_tokens',
        'security_events',
      ]),
    );
    const deleted = await deleteAccount(a, auths[0] as Auth);
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data?.deleteAccount).toBe(true);
    expect(await rowsMentioning(needlesOf(userId, email, auths))).toEqual({});
  });

  it('refuses every access and refresh token afterwards, on every instance, warm caches included', async () => {
    const { auths } = await busyAccount(a);
    // Both instances hold every access token in their caches as valid.
    for (const app of [a, b]) {
      for (const auth of auths) expect((await me(app, auth.accessToken)).data?.me).toBeTruthy();
    }
    expect((await deleteAccount(b, auths[2] as Auth)).data?.deleteAccount).toBe(true);
    for (const app of [a, b]) {
      for (const auth of auths) {
        const answer = errorOf(await me(app, auth.accessToken));
        expect(answer.code).toBe('UNAUTHENTICATED');
        expect(['REVOKED', 'INVALID']).toContain(answer.reason);
        expect(errorOf(await refresh(app, auth.refreshToken)).code).toBe('INVALID_REFRESH_TOKEN');
      }
    }
  });

  it('frees the email address at once: it can sign up again, and the old tokens stay dead', async () => {
    const { email, userId, auths } = await busyAccount(a);
    await deleteAccount(a, auths[0] as Auth);
    const again = await signUp(b, email);
    expect(again.user.email).toBe(email);
    expect(again.user.id).not.toBe(userId);
    expect((await me(a, again.accessToken)).data?.me.id).toBe(again.user.id);
    // The new account's feed starts empty of the old one's history.
    const events = await a.gql(EVENTS, {}, again.accessToken);
    expect(events.data?.securityEvents).toEqual([{ type: 'SIGNED_UP' }]);
    expect(await stillWorking([a, b], auths)).toBe(0);
  });

  it('with a wrong password is INVALID_CREDENTIALS about the password alone, and deletes nothing', async () => {
    const auth = await signUp(a);
    const wrong = await deleteAccount(a, auth, 'not the password');
    expect(errorOf(wrong)).toEqual({ code: 'INVALID_CREDENTIALS' });
    expect(wrong.errors?.[0]?.message).toBe('The current password is incorrect.');
    expect(wrong.data).toBeNull();
    expect((await me(a, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    const events = await a.gql(EVENTS, {}, auth.accessToken);
    expect(events.data?.securityEvents).toEqual([{ type: 'LOGIN_FAILED' }, { type: 'SIGNED_UP' }]);
  });

  it('cannot be sent twice in one request, so one request checks one password', async () => {
    const auth = await signUp(a);
    const twice = await a.gql(
      'mutation($pw: String!) { one: deleteAccount(currentPassword: $pw) two: deleteAccount(currentPassword: $pw) }',
      { pw: 'not the password' },
      auth.accessToken,
    );
    expect(twice.status).toBe(400);
    expect(errorOf(twice).code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await a.gql(EVENTS, {}, auth.accessToken)).data?.securityEvents).toEqual([
      { type: 'SIGNED_UP' },
    ]);
  });

  it('without a valid access token is UNAUTHENTICATED', async () => {
    const result = await a.gql(DELETE_ACCOUNT, { pw: PASSWORD });
    expect(errorOf(result)).toEqual({ code: 'UNAUTHENTICATED', reason: 'MISSING' });
  });

  it('by an operator erases the account the same way, without a password', async () => {
    const { email, userId, auths } = await busyAccount(a);
    await me(b, auths[0]?.accessToken ?? null);
    const result = await deleteAccountByOperator(operator(a), { account: { email } });
    expect(result).toEqual({ userId, revokedSessionCount: 2 });
    expect(await rowsMentioning(needlesOf(userId, email, auths))).toEqual({});
    expect(await stillWorking([a, b], auths)).toBe(0);
    await expect(
      deleteAccountByOperator(operator(a), { account: { userId } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('a wrong currentPassword', () => {
  const app = useTestApp();

  it('is answered about the password, never "the email address or password", by every mutation', async () => {
    const auth = await signUp(app);
    const mutations = [
      [CHANGE_PASSWORD, { pw: 'not the password', new: 'a new passphrase' }],
      [
        'mutation($pw: String!) { changeEmail(newEmail: "elsewhere@example.com", currentPassword: $pw) { accessToken } }',
        { pw: 'not the password' },
      ],
      [
        'mutation($pw: String!) { revokeAllTokens(currentPassword: $pw) { revokedSessionCount } }',
        { pw: 'not the password' },
      ],
      [DELETE_ACCOUNT, { pw: 'not the password' }],
    ] as const;
    for (const [query, variables] of mutations) {
      const result = await app.gql(query, variables, auth.accessToken);
      expect(errorOf(result)).toEqual({ code: 'INVALID_CREDENTIALS' });
      expect(result.errors?.[0]?.message).toBe('The current password is incorrect.');
    }
    // A login still does not say which of the two was wrong.
    const wrongLogin = await login(app, auth.user.email, 'not the password');
    expect(wrongLogin.errors?.[0]?.message).toBe('The email address or password is incorrect.');
  });
});

describe('deleteAccount counts against the password limits', () => {
  const app = useTestApp({ loginMaxFailures: 2 });

  it('refuses with RATE_LIMITED past the limit, even with the right password', async () => {
    const auth = await signUp(app);
    for (let i = 0; i < 2; i++) {
      expect(errorOf(await deleteAccount(app, auth, 'not the password')).code).toBe(
        'INVALID_CREDENTIALS',
      );
    }
    expect(errorOf(await deleteAccount(app, auth)).code).toBe('RATE_LIMITED');
    expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
  });
});

describe('a delete racing refreshes and logins', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // Behind a (pretend) proxy, so that each account's client has a network of its own: the
    // per-network password limits serialise every check of one network, and would make the
    // delete wait for every other account's logins.
    [a, b] = await Promise.all([
      startTestApp({ trustProxy: true }),
      startTestApp({ trustProxy: true }),
    ]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close()]));

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const ALLOWED_REFUSALS = new Set(['INVALID_CREDENTIALS', 'INVALID_REFRESH_TOKEN']);
  /** Past any delete: a racer still succeeding after this many tries means nothing stopped it. */
  const MAX_TRIES = 200;
  /**
   * Between a racer's tries: shorter than a try, so one is nearly always in flight when the
   * delete commits, while the run stays light enough to share the machine with the other tests.
   */
  const PAUSE_MS = 5;

  /** `app` as seen by a client at `ip`. */
  function from(app: TestApp, ip: string): TestApp {
    return { ...app, gql: (q, v, t, h = {}) => app.gql(q, v, t, { ...h, 'x-forwarded-for': ip }) };
  }

  /** Refreshes `auth`'s session again and again, each time with the pair just issued, until refused. */
  async function refreshChain(app: TestApp, auth: Auth, answers: GraphQLResult[]): Promise<void> {
    let current = auth;
    for (let i = 0; i < MAX_TRIES; i++) {
      const answer = await refresh(app, current.refreshToken);
      answers.push(answer);
      if (!answer.data?.refreshToken) return;
      current = answer.data.refreshToken as Auth;
      await sleep(PAUSE_MS);
    }
  }

  /** Logs in again and again, until refused or `times` times. */
  async function loginLoop(
    app: TestApp,
    attempt: { email: string; password: string; times: number },
    answers: GraphQLResult[],
  ): Promise<void> {
    for (let i = 0; i < attempt.times; i++) {
      const answer = await login(app, attempt.email, attempt.password);
      answers.push(answer);
      if (!answer.data?.login) return;
      await sleep(PAUSE_MS);
    }
  }

  let accountCount = 0;
  /** An account with four sessions, its client's address, and what it was issued. */
  async function accountWithSessions() {
    accountCount += 1;
    const ip = `10.${(accountCount >> 8) & 255}.${accountCount & 255}.1`;
    const email = uniqueEmail('race-delete');
    const first = await signUp(from(a, ip), email);
    const others = await Promise.all(
      [a, b, a].map(async (app) => (await login(from(app, ip), email)).data?.login as Auth),
    );
    return { ip, email, userId: first.user.id, auths: [first, ...others] };
  }

  /**
   * Deletes the account while chains of refreshes of its three other sessions, and logins with
   * the right password (and three with a wrong one), run on both instances until refused; the
   * delete lands a few milliseconds in, so it commits while they are in flight.
   */
  async function raceDelete(account: Awaited<ReturnType<typeof accountWithSessions>>, n: number) {
    const { ip, email } = account;
    const [first, ...others] = account.auths as [Auth, ...Auth[]];
    const [onA, onB] = [from(a, ip), from(b, ip)];
    const answers: GraphQLResult[] = [];
    const racers = [
      ...others.map((auth, i) => refreshChain(i % 2 ? onA : onB, auth, answers)),
      loginLoop(onA, { email, password: PASSWORD, times: MAX_TRIES }, answers),
      loginLoop(onB, { email, password: PASSWORD, times: MAX_TRIES }, answers),
      ...[0, 5, 10].map((ms) =>
        sleep(ms).then(() =>
          loginLoop(onB, { email, password: 'not the password', times: 1 }, answers),
        ),
      ),
    ];
    const deleted = await sleep(2 + (n % 15)).then(() => deleteAccount(n % 2 ? onA : onB, first));
    await Promise.all(racers);
    return { deleted, answers };
  }

  it('leaves no row and no working token, and every racer gets an answer of the contract: 50 accounts, 8 racers each', async () => {
    const accounts: Array<Awaited<ReturnType<typeof accountWithSessions>>> = [];
    const results: Array<Awaited<ReturnType<typeof raceDelete>>> = [];
    // In waves of 10 accounts: the race is per account, and the tests' pools are small.
    for (let wave = 0; wave < 5; wave++) {
      const batch = await Promise.all(Array.from({ length: 10 }, accountWithSessions));
      accounts.push(...batch);
      results.push(...(await Promise.all(batch.map((account, n) => raceDelete(account, n)))));
    }
    const issued: Auth[] = [];
    let refused = 0;
    for (const { deleted, answers } of results) {
      expect(deleted.errors).toBeUndefined();
      expect(deleted.data?.deleteAccount).toBe(true);
      for (const answer of answers) {
        const payload = (answer.data?.login ?? answer.data?.refreshToken) as Auth | undefined;
        if (payload) issued.push(payload);
        else {
          expect(ALLOWED_REFUSALS).toContain(errorOf(answer).code);
          refused += 1;
        }
      }
    }
    // The race was real: racers won until the delete, and then every one of the five that run
    // until refused (three refresh chains, two login loops) and the three wrong logins was refused.
    expect(issued.length).toBeGreaterThan(accounts.length);
    expect(refused).toBe(accounts.length * 8);
    const everything = accounts.flatMap(({ auths }) => auths).concat(issued);
    expect(await stillWorking([a, b], everything)).toBe(0);
    const needles = accounts.flatMap(({ email, userId }) => [userId, email]);
    expect(await rowsMentioning([...needles, ...issuedNeedles(everything)])).toEqual({});
  }, 120_000);
});

describe('disabled accounts', () => {
  let a: TestApp;
  let b: TestApp;
  let limited: TestApp;
  beforeAll(async () => {
    [a, b, limited] = await Promise.all([
      startTestApp(),
      startTestApp(),
      startTestApp({ loginMaxFailures: 3 }),
    ]);
  });
  afterAll(() => Promise.all([a?.close(), b?.close(), limited?.close()]));

  it('disabling refuses every token at once (REVOKED), on a second instance with a warm cache too', async () => {
    const email = uniqueEmail('disable');
    const first = await signUp(a, email);
    const second = (await login(b, email)).data?.login as Auth;
    for (const app of [a, b]) {
      for (const auth of [first, second]) {
        expect((await me(app, auth.accessToken)).data?.me).toBeTruthy();
      }
    }
    const change = await disableAccount(operator(a), byOperator({ email }, 'reported stolen'));
    expect(change).toEqual({ userId: first.user.id, changed: true, revokedSessionCount: 2 });
    for (const app of [a, b]) {
      for (const auth of [first, second]) await expectRevoked(app, auth);
    }
  });

  it('disabling from a process without a cache, as the operator CLI is, reaches warm caches too', async () => {
    // What the CLI runs on: its own pool and a revocation bus that caches nothing (and so holds
    // no lease) but announces, and waits for the instances that do cache.
    const pool = createPool(inject('databaseUrl'), () => {});
    const bus = await startRevocationBus({
      databaseUrl: inject('databaseUrl'),
      pool,
      cacheSize: 0,
      leaseMs: 1000,
      onError: () => {},
    });
    try {
      const auth = await signUp(a);
      for (const app of [a, b]) expect((await me(app, auth.accessToken)).data?.me).toBeTruthy();
      const cli: AuthRequest = { ...operator(a), deps: { ...a.auth, revocations: bus } };
      await disableAccount(cli, byOperator({ userId: auth.user.id }));
      for (const app of [a, b]) await expectRevoked(app, auth);
    } finally {
      await bus.stop();
      await pool.end();
    }
  });

  it('refuses login with ACCOUNT_DISABLED only after a right password; a wrong one counts as usual', async () => {
    const email = uniqueEmail('disabled-login');
    await signUp(limited, email);
    await disableAccount(operator(limited), byOperator({ email }));
    const right = await login(limited, email);
    expect(errorOf(right)).toEqual({ code: 'ACCOUNT_DISABLED' });
    expect(right.errors?.[0]?.message).toBe('This account has been disabled.');
    expect(right.status).toBe(200);
    // A guesser learns nothing: a wrong password, and an unknown address, answer as for anyone.
    const unknown = await login(limited, uniqueEmail('nobody'), 'not the password');
    for (let i = 0; i < 3; i++) {
      const wrong = await login(limited, email, 'not the password');
      expect(errorOf(wrong)).toEqual({ code: 'INVALID_CREDENTIALS' });
      expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
    }
    // Those three were counted: the right password is now refused before it is checked.
    expect(errorOf(await login(limited, email)).code).toBe('RATE_LIMITED');
  });

  it('disabling twice changes nothing the second time; an unknown account is NOT_FOUND', async () => {
    const email = uniqueEmail('disable-twice');
    await signUp(a, email);
    expect((await disableAccount(operator(a), byOperator({ email }))).changed).toBe(true);
    expect(
      await disableAccount(operator(a), byOperator({ email: email.toUpperCase() })),
    ).toMatchObject({
      changed: false,
    });
    await expect(
      disableAccount(operator(a), byOperator({ email: uniqueEmail('nobody') })),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('enabling lets the password in again, with the old tokens still dead and both events on record', async () => {
    const email = uniqueEmail('enable');
    const before = await signUp(a, email);
    await me(b, before.accessToken);
    await disableAccount(operator(a), byOperator({ userId: before.user.id }, 'investigating'));
    const enabled = await enableAccount(operator(b), byOperator({ email }, 'cleared'));
    expect(enabled).toEqual({ userId: before.user.id, changed: true, revokedSessionCount: 0 });
    expect((await enableAccount(operator(b), byOperator({ email }))).changed).toBe(false);
    const after = (await login(b, email)).data?.login as Auth;
    expect((await me(a, after.accessToken)).data?.me.id).toBe(before.user.id);
    expect(await stillWorking([a, b], [before])).toBe(0);
    const events = await a.gql(EVENTS, {}, after.accessToken);
    expect(events.data?.securityEvents.map((e: { type: string }) => e.type)).toEqual([
      'LOGIN_SUCCEEDED',
      'ACCOUNT_ENABLED',
      'ACCOUNT_DISABLED',
      'SIGNED_UP',
    ]);
    // Who did it and why is kept with the event, for the operator; the owner sees what happened.
    const { rows } = await db.query(
      `select type, actor, reason from security_events where user_id = $1 and actor is not null order by seq`,
      [before.user.id],
    );
    expect(rows).toEqual([
      { type: 'ACCOUNT_DISABLED', actor: 'ops', reason: 'investigating' },
      { type: 'ACCOUNT_ENABLED', actor: 'ops', reason: 'cleared' },
    ]);
  });

  it('a login racing disableAccount either fails or its tokens are dead once it has answered', async () => {
    const accounts = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const email = uniqueEmail('race-disable');
        await signUp(a, email);
        return email;
      }),
    );
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const issued = (
      await Promise.all(
        accounts.map(async (email, n) => {
          const logins = Array.from({ length: 8 }, (_, i) =>
            sleep((i * 30) / 8).then(() => login(i % 2 ? a : b, email)),
          );
          await sleep(n % 10);
          await disableAccount(operator(n % 2 ? a : b), byOperator({ email }));
          const answers = await Promise.all(logins);
          for (const answer of answers) {
            if (!answer.data?.login) expect(errorOf(answer).code).toBe('ACCOUNT_DISABLED');
          }
          return answers.flatMap((r) => (r.data?.login ? [r.data.login as Auth] : []));
        }),
      )
    ).flat();
    expect(await stillWorking([a, b], issued)).toBe(0);
  });
});

describe('createUserByOperator', () => {
  const app = useTestApp();

  it('creates an account that signs in with its password, recorded as SIGNED_UP by the operator', async () => {
    const email = uniqueEmail('created');
    const user = await createUserByOperator(operator(app), {
      email: `  ${email.toUpperCase()} `,
      password: PASSWORD,
      actor: 'ops',
    });
    expect(user.email).toBe(email);
    const auth = (await login(app, email)).data?.login as Auth;
    expect(auth.user.id).toBe(user.id);
    const events = await app.gql(EVENTS, {}, auth.accessToken);
    expect(events.data?.securityEvents).toEqual([
      { type: 'LOGIN_SUCCEEDED' },
      { type: 'SIGNED_UP' },
    ]);
  });

  it('refuses a taken address and a short password with the codes signUp gives', async () => {
    const auth = await signUp(app);
    await expect(
      createUserByOperator(operator(app), {
        email: auth.user.email,
        password: PASSWORD,
        actor: 'ops',
      }),
    ).rejects.toMatchObject({ code: 'EMAIL_IN_USE' });
    await expect(
      createUserByOperator(operator(app), {
        email: uniqueEmail(),
        password: 'short',
        actor: 'ops',
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'password' } });
  });
});
