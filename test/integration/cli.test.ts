// The operator CLI as an operator runs it: the real `tessera` bin as a child process, against a
// real PostgreSQL that running server instances share.
import { userInfo } from 'node:os';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../../src/auth/clock.ts';
import { PRUNE_LOCK_KEY, prunePass } from '../../src/auth/prune.ts';
import { runCli } from '../../src/cli/program.ts';
import { freePort } from '../../src/db/embedded-database.ts';
import { createMigratedDatabase } from '../database.ts';
import {
  DEFAULT_SETTINGS,
  errorOf,
  login,
  me,
  PASSWORD,
  refresh,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './harness.ts';
import { runTessera } from './production-process.ts';
import { startTcpProxy } from './tcp-proxy.ts';

// A database of its own: `tessera prune` prunes by the real clock, and the lock must be ours.
let database: { url: string; drop(): Promise<void> };
let app: TestApp;
let other: TestApp;
let db: pg.Client;
beforeAll(async () => {
  database = await createMigratedDatabase(inject('databaseUrl'));
  // Two instances with warm token caches, as in production (test/app.ts: a 1 s lease).
  app = await startTestApp({ databaseUrl: database.url, loginMaxFailures: 3 });
  other = await startTestApp({ databaseUrl: database.url, loginMaxFailures: 3 });
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await app?.close();
  await other?.close();
  await database?.drop();
});

/** Each test starts the CLI several times, a second or more each on a busy machine. */
const SLOW = 120_000;

const tessera = (args: string[], env: Record<string, string> = {}) =>
  runTessera(args, { DATABASE_URL: database.url, ...env });

describe('the command line', () => {
  it(
    '--help lists every command and the exit codes, and exits 0; so does each command',
    async () => {
      const help = await tessera(['--help']);
      expect(help.code).toBe(0);
      for (const command of ['migrate', 'prune', 'users', 'sessions', 'throttle', 'doctor']) {
        expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      }
      expect(help.stdout).toContain('3  not found');
      const sessions = await tessera(['sessions', 'revoke', '--help']);
      expect(sessions.code).toBe(0);
      expect(sessions.stdout).toContain('--user <email>');
    },
    SLOW,
  );

  it(
    'npx tessera runs the project’s own bin',
    async () => {
      const run = await runTessera(['--help'], {}, { command: ['npx', '--no-install', 'tessera'] });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Usage: tessera');
    },
    SLOW,
  );

  it(
    'a usage error exits 2 with a message on stderr and nothing on stdout',
    async () => {
      for (const args of [
        ['bogus'],
        ['users', 'list', '--limit', 'ten'],
        ['sessions', 'revoke'],
        ['throttle', 'clear', '--email', 'a@example.com', '--ip', 'not-an-ip'],
        ['users'],
      ]) {
        const run = await tessera(args);
        expect(run.code, args.join(' ')).toBe(2);
        expect(run.stdout).toBe('');
        expect(run.stderr).not.toBe('');
      }
    },
    SLOW,
  );

  it(
    'an unknown account exits 3; with --json the error is the one document on stdout',
    async () => {
      const run = await tessera(['sessions', 'list', '--user', uniqueEmail('nobody'), '--json']);
      expect(run.code).toBe(3);
      expect(run.json).toEqual({
        error: { code: 'NOT_FOUND', message: 'No account has that email address.' },
      });
      expect(run.stderr).toContain('No account has that email address.');
      // Never the address that was asked for, in an error.
      expect(run.stderr).not.toContain('nobody');
    },
    SLOW,
  );
});

describe('users and sessions', () => {
  it(
    'users list shows the accounts signed up through the API, to people and programs',
    async () => {
      const ada = await signUp(app, uniqueEmail('ada'));
      const bob = await signUp(other, uniqueEmail('bob'));
      const listed = await tessera(['users', 'list', '--limit', '1000', '--json']);
      expect(listed.code).toBe(0);
      const users = listed.json.users as Array<Record<string, string>>;
      for (const auth of [ada, bob]) {
        expect(users).toContainEqual({
          id: auth.user.id,
          email: auth.user.email,
          createdAt: auth.user.createdAt,
          disabledAt: null,
        });
      }
      const text = await tessera(['users', 'list', '--limit', '1000']);
      expect(text.stdout).toMatch(
        new RegExp(`^${ada.user.id}\\s+${ada.user.email.replace(/\./g, '\\.')}\\s`, 'm'),
      );

      // Pages: --limit, and --after the last address of the previous page.
      const first = await tessera(['users', 'list', '--limit', '1', '--json']);
      expect(first.json.users).toHaveLength(1);
      const second = await tessera([
        'users',
        'list',
        '--limit',
        '1',
        '--after',
        first.json.next,
        '--json',
      ]);
      expect(second.json.users[0].email > first.json.next).toBe(true);
    },
    SLOW,
  );

  it(
    'sessions list shows the live sessions of an account, newest first',
    async () => {
      const auth = await signUp(app);
      const again = (await login(other, auth.user.email)).data?.login;
      await app.gql('mutation { logout }', {}, auth.accessToken);
      const run = await tessera([
        'sessions',
        'list',
        '--user',
        auth.user.email.toUpperCase(),
        '--json',
      ]);
      expect(run.code).toBe(0);
      expect(run.json.user.id).toBe(auth.user.id);
      expect(run.json.sessions.map((s: { id: string }) => s.id)).toEqual([again.session.id]);
      expect(run.json.sessions[0]).toMatchObject({
        ipAddress: '127.0.0.1',
        expiresAt: again.session.expiresAt,
      });
    },
    SLOW,
  );

  it(
    'sessions revoke: right after it returns, every instance refuses the tokens, warm caches included',
    async () => {
      const auth = await signUp(app);
      const second = (await login(other, auth.user.email)).data?.login;
      // Warm both caches: each instance has checked each token, and would answer from memory.
      for (const instance of [app, other]) {
        for (const token of [auth.accessToken, second.accessToken]) {
          expect((await me(instance, token)).data?.me.id).toBe(auth.user.id);
          expect((await me(instance, token)).data?.me.id).toBe(auth.user.id);
        }
      }
      const run = await tessera(['sessions', 'revoke', '--user', auth.user.email, '--json']);
      expect(run.code).toBe(0);
      expect(run.json).toEqual({
        user: { ...auth.user, disabledAt: null },
        revokedSessionCount: 2,
      });
      const answers = await Promise.all(
        [app, other].flatMap((instance) =>
          [auth.accessToken, second.accessToken].map((token) => me(instance, token)),
        ),
      );
      for (const answer of answers) {
        expect(errorOf(answer)).toEqual({ code: 'UNAUTHENTICATED', reason: 'REVOKED' });
      }
      expect(errorOf(await refresh(other, second.refreshToken))).toEqual({
        code: 'INVALID_REFRESH_TOKEN',
        reason: 'REVOKED',
      });

      // The owner sees what the operator did, and the password still works.
      const back = (await login(app, auth.user.email)).data?.login;
      const events = await app.gql(
        '{ securityEvents { type userAgent ipAddress } }',
        {},
        back.accessToken,
      );
      expect(events.data?.securityEvents[1]).toEqual({
        type: 'ALL_SESSIONS_REVOKED',
        userAgent: 'tessera-cli',
        ipAddress: null,
      });
    },
    SLOW,
  );

  it(
    'sessions revoke --session revokes that one session only, and records it',
    async () => {
      const auth = await signUp(app);
      const stolen = (await login(other, auth.user.email)).data?.login;
      expect((await me(other, stolen.accessToken)).data?.me.id).toBe(auth.user.id);
      const run = await tessera([
        'sessions',
        'revoke',
        '--user',
        auth.user.email,
        '--session',
        stolen.session.id,
        '--reason',
        'lost phone',
        '--json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.revokedSessionCount).toBe(1);
      expect(errorOf(await me(other, stolen.accessToken))).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'REVOKED',
      });
      expect((await me(other, auth.accessToken)).data?.me.id).toBe(auth.user.id);
      const events = await app.gql(
        '{ securityEvents(first: 1) { type sessionId userAgent } }',
        {},
        auth.accessToken,
      );
      expect(events.data?.securityEvents).toEqual([
        { type: 'SESSION_REVOKED', sessionId: stolen.session.id, userAgent: 'tessera-cli' },
      ]);
      // Again, or a session that is not the account's: not found.
      for (const session of [stolen.session.id, 'not-a-session-id']) {
        const again = await tessera([
          'sessions',
          'revoke',
          '--user',
          auth.user.email,
          '--session',
          session,
        ]);
        expect(again.code).toBe(3);
      }
    },
    SLOW,
  );

  it(
    'sessions revoke waits for an instance that has not acknowledged, until its lease runs out',
    async () => {
      // An instance whose listener goes silent (a partition) keeps serving from its cache until
      // its own reckoning of its lease ends, here up to 10 s: the CLI must not return before.
      const proxy = await startTcpProxy(database.url);
      const slow = await startTestApp({
        databaseUrl: database.url,
        tokenCache: { listenerUrl: proxy.url, leaseMs: 10_000 },
      });
      try {
        const auth = await signUp(app);
        await new Promise((resolve) => setTimeout(resolve, 200)); // its first heartbeat is heard
        expect((await me(slow, auth.accessToken)).data?.me.id).toBe(auth.user.id);
        expect((await me(slow, auth.accessToken)).data?.me.id).toBe(auth.user.id);
        proxy.pause('buffer');
        const run = await tessera(['sessions', 'revoke', '--user', auth.user.email]);
        expect(run.code).toBe(0);
        expect(errorOf(await me(slow, auth.accessToken))).toEqual({
          code: 'UNAUTHENTICATED',
          reason: 'REVOKED',
        });
      } finally {
        proxy.resume();
        await slow.close();
        await proxy.close();
      }
    },
    SLOW,
  );
});

describe('users create, disable, enable, delete', () => {
  /** The actor and reason the CLI recorded on the account's latest event of `type`. */
  async function recorded(userId: string, type: string) {
    const { rows } = await db.query(
      'select actor, reason, user_agent from security_events where user_id = $1 and type = $2 order by seq desc limit 1',
      [userId, type],
    );
    return rows[0];
  }

  it(
    'users create reads the password from stdin; its owner then logs in with it',
    async () => {
      const email = uniqueEmail('created');
      const run = await runTessera(
        ['users', 'create', '--email', email, '--password-stdin', '--reason', 'new hire', '--json'],
        { DATABASE_URL: database.url },
        { stdin: `${PASSWORD}\n` },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.user).toMatchObject({ email, disabledAt: null });
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
      const loggedIn = await login(app, email);
      expect(loggedIn.data?.login.user.id).toBe(run.json.user.id);
      expect(await recorded(run.json.user.id, 'SIGNED_UP')).toEqual({
        actor: userInfo().username,
        reason: 'new hire',
        user_agent: 'tessera-cli',
      });

      // The same address again: 4; a password too short, or none on stdin: 2.
      const again = await runTessera(
        ['users', 'create', '--email', email, '--password-stdin'],
        { DATABASE_URL: database.url },
        { stdin: PASSWORD },
      );
      expect(again.code).toBe(4);
      const short = await runTessera(
        ['users', 'create', '--email', uniqueEmail(), '--password-stdin'],
        { DATABASE_URL: database.url },
        { stdin: 'short' },
      );
      expect(short.code).toBe(2);
      expect((await tessera(['users', 'create', '--email', uniqueEmail()])).code).toBe(2);

      // A terminal as stdin would echo the password as it is typed: refused, nothing created.
      const output: string[] = [];
      const terminal = Object.assign(Readable.from([PASSWORD]), { isTTY: true });
      const typed = uniqueEmail();
      const code = await runCli(
        ['users', 'create', '--email', typed, '--password-stdin'],
        { DATABASE_URL: database.url },
        { stdout: (t) => output.push(t), stderr: (t) => output.push(t), stdin: terminal },
      );
      expect(code).toBe(2);
      expect(output.join('')).toMatch(/stdin is a terminal/);
      expect(errorOf(await login(app, typed))?.code).toBe('INVALID_CREDENTIALS');
    },
    SLOW,
  );

  it(
    'users disable: every instance refuses the tokens at once, and login answers ACCOUNT_DISABLED only to the right password',
    async () => {
      const auth = await signUp(app);
      for (const instance of [app, other]) {
        expect((await me(instance, auth.accessToken)).data?.me.id).toBe(auth.user.id);
      }
      const run = await tessera([
        'users',
        'disable',
        '--email',
        auth.user.email,
        '--reason',
        'abuse',
        '--json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json).toMatchObject({ changed: true, revokedSessionCount: 1 });
      expect(run.json.user.disabledAt).not.toBeNull();
      for (const instance of [app, other]) {
        expect(errorOf(await me(instance, auth.accessToken))).toEqual({
          code: 'UNAUTHENTICATED',
          reason: 'REVOKED',
        });
      }
      expect(errorOf(await login(other, auth.user.email))).toEqual({ code: 'ACCOUNT_DISABLED' });
      expect(errorOf(await login(other, auth.user.email, 'not the password'))).toEqual({
        code: 'INVALID_CREDENTIALS',
      });
      expect(await recorded(auth.user.id, 'ACCOUNT_DISABLED')).toMatchObject({
        reason: 'abuse',
        user_agent: 'tessera-cli',
      });

      // Again: nothing changes, and it says so.
      expect(
        (await tessera(['users', 'disable', '--email', auth.user.email, '--json'])).json.changed,
      ).toBe(false);

      const enabled = await tessera(['users', 'enable', '--email', auth.user.email, '--json']);
      expect(enabled.code).toBe(0);
      expect(enabled.json).toMatchObject({ changed: true, user: { disabledAt: null } });
      expect((await login(app, auth.user.email)).errors).toBeUndefined();
      // The tokens disabling ended stay dead.
      expect(errorOf(await me(app, auth.accessToken))).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'REVOKED',
      });
    },
    SLOW,
  );

  it(
    'users delete needs --yes; then the account is gone, its tokens refused and its address free',
    async () => {
      const auth = await signUp(app);
      expect((await me(other, auth.accessToken)).data?.me.id).toBe(auth.user.id);
      const unconfirmed = await tessera(['users', 'delete', '--email', auth.user.email]);
      expect(unconfirmed.code).toBe(2);
      expect((await me(other, auth.accessToken)).data?.me.id).toBe(auth.user.id);

      const run = await tessera(['users', 'delete', '--email', auth.user.email, '--yes', '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.json).toEqual({
        deleted: { id: auth.user.id, email: auth.user.email },
        revokedSessionCount: 1,
      });
      expect(errorOf(await me(other, auth.accessToken)).code).toBe('UNAUTHENTICATED');
      expect(errorOf(await refresh(app, auth.refreshToken)).code).toBe('INVALID_REFRESH_TOKEN');
      const left = await db.query('select count(*)::int as n from users where id = $1', [
        auth.user.id,
      ]);
      expect(left.rows[0].n).toBe(0);
      expect((await tessera(['users', 'delete', '--email', auth.user.email, '--yes'])).code).toBe(
        3,
      );
      await signUp(app, auth.user.email);
    },
    SLOW,
  );
});

describe('throttle clear', () => {
  const lockOut = async (email: string) => {
    for (let i = 0; i < 3; i++) await login(app, email, 'wrong password!');
    expect(errorOf(await login(app, email))).toEqual({ code: 'RATE_LIMITED' });
  };

  it(
    'a locked-out address can log in again at once, and the account records it',
    async () => {
      const auth = await signUp(app);
      await lockOut(auth.user.email);
      const run = await tessera(['throttle', 'clear', '--email', auth.user.email, '--json']);
      expect(run.code).toBe(0);
      expect(run.json).toEqual({
        cleared: { emailFailures: 3, networkFailures: 0 },
        user: { ...auth.user, disabledAt: null },
      });
      const back = await login(other, auth.user.email);
      expect(back.errors).toBeUndefined();
      const events = await app.gql(
        '{ securityEvents { type userAgent } }',
        {},
        back.data?.login.accessToken,
      );
      const [loggedIn, cleared] = events.data?.securityEvents ?? [];
      expect(loggedIn.type).toBe('LOGIN_SUCCEEDED');
      expect(cleared).toEqual({ type: 'RATE_LIMIT_CLEARED', userAgent: 'tessera-cli' });
    },
    SLOW,
  );

  it(
    '--ip clears only the failures from that client’s network',
    async () => {
      const auth = await signUp(app);
      await lockOut(auth.user.email);
      const elsewhere = await tessera([
        'throttle',
        'clear',
        '--email',
        auth.user.email,
        '--ip',
        '203.0.113.7',
        '--json',
      ]);
      expect(elsewhere.json.cleared).toEqual({ emailFailures: 0, networkFailures: 0 });
      expect(errorOf(await login(app, auth.user.email))).toEqual({ code: 'RATE_LIMITED' });

      const here = await tessera([
        'throttle',
        'clear',
        '--email',
        auth.user.email,
        '--ip',
        '127.0.0.1',
        '--json',
      ]);
      expect(here.code).toBe(0);
      expect(here.json.cleared.emailFailures).toBe(3);
      expect(here.json.cleared.networkFailures).toBeGreaterThanOrEqual(3);
      expect((await login(app, auth.user.email)).errors).toBeUndefined();
    },
    SLOW,
  );
});

describe('prune: one pass at a time', () => {
  /** Holds the prune lock as another instance's pass would, on a connection of its own. */
  async function holdPruneLock(): Promise<{ release(): Promise<void> }> {
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('select pg_advisory_lock($1)', [PRUNE_LOCK_KEY.toString()]);
    return { release: () => holder.end() };
  }

  it(
    'while a pass runs elsewhere, a server’s timer skips its turn and prune --wait 0 exits 4',
    async () => {
      const lock = await holdPruneLock();
      try {
        const pass = await prunePass({
          em: app.orm.em.fork(),
          databaseUrl: database.url,
          clock: systemClock,
          settings: { ...DEFAULT_SETTINGS, securityEventRetentionDays: 365 },
        });
        expect(pass.kind).toBe('busy');
        const run = await tessera(['prune', '--wait', '0', '--json']);
        expect(run.code).toBe(4);
        expect(run.json.error.code).toBe('PRUNE_RUNNING');
      } finally {
        await lock.release();
      }
    },
    SLOW,
  );

  it(
    'prune waits for the pass under way, then runs its own',
    async () => {
      const lock = await holdPruneLock();
      const running = tessera(['prune', '--wait', '30', '--json']);
      // Once the CLI has asked for the lock (and been refused), hold it a little longer.
      for (;;) {
        const asking = await db.query(
          `select 1 from pg_stat_activity where datname = current_database()
           and pid <> pg_backend_pid() and query like '%pg_try_advisory_lock%'`,
        );
        if (asking.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const refusedAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await lock.release();
      const run = await running;
      expect(run.code).toBe(0);
      expect(run.exitedAt - refusedAt).toBeGreaterThan(1000);
      expect(run.json.waitedSeconds).toBeGreaterThan(0.9);
      expect(Object.keys(run.json.deleted).sort()).toEqual([
        'accessTokens',
        'cacheLeases',
        'rateLimitEntries',
        'refreshTokens',
        'securityEvents',
        'sessions',
        'successorSeals',
      ]);
    },
    SLOW,
  );

  it(
    'two prunes at once: the passes do not overlap, and together delete every expired token once',
    async () => {
      // Enough expired access tokens that one pass takes a while (batches of 1000).
      const auth = await signUp(app);
      await db.query(
        `insert into access_tokens (id, token_hash, session_id, created_at, expires_at)
         select gen_random_uuid(), md5(random()::text || i), $1, now() - interval '2 days', now() - interval '1 day'
           from generate_series(1, 60000) as i`,
        [auth.session.id],
      );
      const [a, b] = await Promise.all([
        tessera(['prune', '--json']),
        tessera(['prune', '--json']),
      ]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const [first, second] = [a.json, b.json].sort((x, y) =>
        x.startedAt.localeCompare(y.startedAt),
      );
      expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt));
      expect(first.deleted.accessTokens + second.deleted.accessTokens).toBeGreaterThanOrEqual(
        60000,
      );
      const left = await db.query(
        'select count(*)::int as n from access_tokens where expires_at < now()',
      );
      expect(left.rows[0].n).toBe(0);
      // The live session's own token survives.
      expect((await me(app, auth.accessToken)).data?.me.id).toBe(auth.user.id);
    },
    SLOW,
  );
});

describe('doctor and migrate', () => {
  it(
    'doctor passes every check on a good database',
    async () => {
      const run = await tessera(['doctor', '--json']);
      expect(run.code).toBe(0);
      expect(run.json.ok).toBe(true);
      expect(run.json.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
        ['configuration', true],
        ['database', true],
        ['migrations', true],
        ['clock', true],
        ['notifications', true],
      ]);
      expect(run.json.checks[4].detail).toMatch(/came back in \d+ ms; \d+ server instance/);
      const text = await tessera(['doctor']);
      expect(text.stdout).toMatch(/^ok\s+clock\s+the database's clock is \d+ ms/m);
    },
    SLOW,
  );

  it(
    'doctor fails when notifications do not come back (what a transaction-mode pooler does)',
    async () => {
      const proxy = await startTcpProxy(database.url);
      try {
        proxy.muteNotifications(true);
        const run = await tessera(['doctor', '--json'], { DATABASE_URL: proxy.url });
        expect(run.code).toBe(1);
        expect(
          run.json.checks
            .filter((c: { ok: boolean }) => !c.ok)
            .map((c: { name: string }) => c.name),
        ).toEqual(['notifications']);
        expect(run.json.checks[4].detail).toContain('the token caches stay unused');
      } finally {
        await proxy.close();
      }
    },
    SLOW,
  );

  it(
    'doctor fails with exit 1 on a database that cannot be reached, and says which check failed',
    async () => {
      const closed = await freePort();
      const run = await tessera(['doctor', '--json'], {
        DATABASE_URL: `postgres://postgres:s3cret-in-url@127.0.0.1:${closed}/tessera`,
      });
      expect(run.code).toBe(1);
      expect(run.json.ok).toBe(false);
      expect(run.json.checks[0]).toMatchObject({ name: 'configuration', ok: true });
      expect(run.json.checks[1]).toMatchObject({ name: 'database', ok: false });
      expect(run.json.checks[1].detail).toContain('ECONNREFUSED');
      expect(run.stdout + run.stderr).not.toContain('s3cret-in-url');
    },
    SLOW,
  );

  it(
    'doctor fails on a bad setting, naming it',
    async () => {
      const run = await tessera(['doctor'], { ACCESS_TOKEN_TTL_SECONDS: 'soon' });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /^FAIL\s+configuration\s+ACCESS_TOKEN_TTL_SECONDS must be a whole number/m,
      );
    },
    SLOW,
  );

  it(
    'migrate applies what is pending once; doctor reports pending migrations when MIGRATE_ON_START is off',
    async () => {
      const fresh = await createEmptyDatabase();
      try {
        const env = { DATABASE_URL: fresh.url, MIGRATE_ON_START: 'false' };
        const before = await tessera(['doctor', '--json'], env);
        expect(before.code).toBe(1);
        expect(before.json.checks[2]).toMatchObject({ name: 'migrations', ok: false });
        expect(before.json.checks[2].detail).toContain('run tessera migrate');
        const unmigrated = await tessera(['users', 'list', '--json'], env);
        expect(unmigrated.code).toBe(1);
        expect(unmigrated.json.error.code).toBe('NOT_MIGRATED');
        const first = await tessera(['migrate', '--json'], env);
        expect(first.code).toBe(0);
        expect(first.json.applied.length).toBeGreaterThanOrEqual(4);
        expect((await tessera(['migrate', '--json'], env)).json).toEqual({ applied: [] });
        expect((await tessera(['doctor'], env)).code).toBe(0);
      } finally {
        await fresh.drop();
      }
    },
    SLOW,
  );
});

/** An empty database (no tables) beside the run's. */
async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tessera_cli_${process.pid}_${Date.now()}`;
  await db.query(`create database ${name}`);
  const url = new URL(database.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await db.query(`drop database if exists ${name} with (force)`);
    },
  };
}
