// `npm run bench`: the load figures of the production process (`node … dist/main.js`) in one run:
// throughput, latency, statements, CPU and memory per kind of request; how soon a revocation on
// one instance is seen by two others; and the hot path and the prune at 10^7 access tokens.
// Everything is compared as ratios within this run (docs: bench/RESULTS.md, STYLE.md).
//
// The servers run on core 1 (taskset), this process (load generator and the statement-counting
// proxy) on core 0; PostgreSQL is not pinned. Env: SECONDS, ROUNDS, PAIRS (part 1), REVOCATIONS
// (part 2), ACCESS_ROWS, LOAD_BUDGET_SECONDS, PRUNE_BUDGET_SECONDS (part 3).
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { BUS_SQL_MARK } from '../src/auth/revocation-bus.ts';
import { generateToken, hashToken } from '../src/auth/tokens.ts';
import { PRODUCTION_COMMAND, ROOT } from '../test/integration/production-process.ts';
import { startTcpProxy, type TcpProxy } from '../test/integration/tcp-proxy.ts';
import {
  COMMAND_WITHOUT_V8_FLAGS,
  coreTicks,
  cpuMs,
  eventLoopDelayMs,
  hasTaskset,
  memoryMiB,
  pinLoadGenerator,
  SERVER_CORE,
  type Server,
  settle,
  startServer,
} from './production-server.ts';
import { benchDatabase, quantile, record } from './support.ts';

const SECONDS = Number(process.env.SECONDS ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PAIRS = Number(process.env.PAIRS ?? 20);
const REVOCATIONS = Number(process.env.REVOCATIONS ?? 200);
const ACCESS_ROWS = Number(process.env.ACCESS_ROWS ?? 10_000_000);
const LOAD_BUDGET_SECONDS = Number(process.env.LOAD_BUDGET_SECONDS ?? 300);
const PRUNE_BUDGET_SECONDS = Number(process.env.PRUNE_BUDGET_SECONDS ?? 180);
const CONNECTIONS = 32;
const LOGIN_CONNECTIONS = 8; // argon2 is CPU-bound: more connections only queue behind it
const ACCOUNTS = 200;
const LOGIN_ACCOUNTS = 64;
const PASSWORD = 'bench password';
const COLD_SAMPLE = 5000;
const BATCH_ROWS = 1_000_000;
const EXPIRED_ROWS = 1_000_000;
const BULK_SESSIONS = 2000;
const WARM_UP = 1000;

pinLoadGenerator();
if (hasTaskset) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)]);

/** What was measured: the commit, and whether src/ differed from it. */
const revision = (() => {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT })
      .toString()
      .trim();
    return `${commit}${dirty ? ' with uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown';
  }
})();

const median = (xs: number[]) => quantile(xs, 0.5);
const PRODUCTION_ARGS = ['node', ...PRODUCTION_COMMAND.slice(1)].join(' ');
const CONTROL_ARGS = ['node', ...COMMAND_WITHOUT_V8_FLAGS.slice(1)].join(' ');
const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const notes: string[] = []; // what looked wrong, for the report

// ---------------------------------------------------------------------------------------------
// GraphQL over keep-alive HTTP, timed precisely (autocannon's latencies are whole milliseconds)

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

interface GqlResponse {
  status: number;
  ms: number;
  // biome-ignore lint/suspicious/noExplicitAny: a benchmark reads what it asked for
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

function gql(
  base: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResponse> {
  const payload = JSON.stringify({ query, variables });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}/graphql`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - started;
          try {
            resolve({
              status: res.statusCode ?? 0,
              ms,
              body: JSON.parse(Buffer.concat(chunks).toString()),
            });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

const SIGN_UP =
  'mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { accessToken refreshToken user { id } } }';
const LOGIN =
  'mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }';
const REFRESH =
  'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
const ME = '{ me { id email } }';

async function signUp(base: string, email: string) {
  const r = await gql(base, SIGN_UP, { e: email, p: PASSWORD });
  const auth = r.body.data?.signUp;
  if (!auth) throw new Error(`signUp ${email}: ${r.status} ${JSON.stringify(r.body.errors)}`);
  return auth as { accessToken: string; refreshToken: string; user: { id: string } };
}

async function login(base: string, email: string) {
  const r = await gql(base, LOGIN, { e: email, p: PASSWORD });
  const auth = r.body.data?.login;
  if (!auth) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body.errors)}`);
  return auth as { accessToken: string; refreshToken: string };
}

/** Runs `task(i)` for i < n with at most `width` at a time. */
async function inParallel<T>(n: number, width: number, task: (i: number) => Promise<T>) {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

const businessStatements = (proxy: TcpProxy) =>
  proxy.statements.filter((s) => !(s.text ?? '').includes(BUS_SQL_MARK)).length;

// ---------------------------------------------------------------------------------------------
// Part 1: interleaved rounds of four kinds of request against one production process

interface Kind {
  name: string;
  connections: number;
  /** Probe /healthz every 10 ms during the round: how long the event loop keeps others waiting. */
  probeLag?: boolean;
  /** autocannon `requests`, built afresh for each run. */
  requests(): autocannon.Request[];
  /** Called before each round, e.g. to top up a pool of single-use tokens. */
  prepare?(): Promise<void>;
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  completed: number;
  sent: number;
  statementsPerRequest: number;
  cpuMsPerRequest: number;
  rssMiB: number;
  loadCpuPercent: number;
  serverCpuPercent: number;
  stealPercent: number;
  bad: number; // non-2xx, socket errors, timeouts and GraphQL errors
  lagMs: number[];
  /** The server's own event-loop delay over the round (login rounds only), ms. */
  loopLag: { p99: number; max: number };
}

async function partOne(databaseUrl: string) {
  const proxy = await startTcpProxy(databaseUrl);
  // Both with METRICS_PORT, as an operator runs them: the login rounds read the server's own
  // event-loop delay from /metrics.
  const server = await startServer(proxy.url, 'server', PRODUCTION_COMMAND, { metrics: true });
  // The same load on the production command without its V8 flags, round for round, so that
  // what the flags save in memory and cost in throughput is measured in this run.
  const control = await startServer(proxy.url, 'control', COMMAND_WITHOUT_V8_FLAGS, {
    metrics: true,
  });
  try {
    const base = server.url;
    const rssAtStart = memoryMiB(server.pid, 'VmRSS');
    const controlRssAtStart = memoryMiB(control.pid, 'VmRSS');
    const accounts = await inParallel(ACCOUNTS, 4, (i) => signUp(base, `bench-${i}@example.com`));
    const accessTokens = accounts.map((a) => a.accessToken);
    const loginEmails = Array.from({ length: LOGIN_ACCOUNTS }, (_, i) => `bench-${i}@example.com`);

    // Refresh tokens: a pool of fresh ones; each response's new token goes back in, so each
    // request spends a token nobody spent before (never the cheaper retry within the window).
    const refreshPool: string[] = [];
    const spent = new Set<string>();
    const refreshStats = { reused: 0, starved: 0, repeatedPair: 0 };
    const topUp = async () => {
      const want = 3 * CONNECTIONS - refreshPool.length;
      if (want <= 0) return;
      const minted = await inParallel(want, 4, (i) =>
        login(base, loginEmails[i % LOGIN_ACCOUNTS] as string),
      );
      refreshPool.push(...minted.map((m) => m.refreshToken));
    };
    let graphqlErrors = 0;
    const checked = (name: string) => (_status: number, body: string) => {
      if (body.includes('"errors"')) {
        graphqlErrors++;
        if (graphqlErrors <= 3) notes.push(`${name} answered with errors: ${body.slice(0, 300)}`);
      }
    };
    const post = (body: string) => ({
      method: 'POST' as const,
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body,
    });

    let nextToken = 0;
    let nextLogin = 0;
    const kinds: Kind[] = [
      {
        name: 'anonymous `{ __typename }`',
        connections: CONNECTIONS,
        requests: () => [
          {
            ...post(JSON.stringify({ query: '{ __typename }' })),
            onResponse: checked('anonymous'),
          },
        ],
      },
      {
        name: `authenticated \`${ME}\`, ${ACCOUNTS} tokens in turn`,
        connections: CONNECTIONS,
        requests: () => [
          {
            ...post(JSON.stringify({ query: ME })),
            setupRequest: (req) => {
              const token = accessTokens[nextToken++ % accessTokens.length];
              return { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } };
            },
            onResponse: checked('me'),
          },
        ],
      },
      {
        // For information: the token's cost without the query's (the ratio is the row above's).
        name: `authenticated \`{ __typename }\`, ${ACCOUNTS} tokens in turn`,
        connections: CONNECTIONS,
        requests: () => [
          {
            ...post(JSON.stringify({ query: '{ __typename }' })),
            setupRequest: (req) => {
              const token = accessTokens[nextToken++ % accessTokens.length];
              return { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } };
            },
            onResponse: checked('authenticated __typename'),
          },
        ],
      },
      {
        name: `\`login\`, ${LOGIN_ACCOUNTS} accounts in turn`,
        connections: LOGIN_CONNECTIONS,
        probeLag: true,
        requests: () => [
          {
            ...post(''),
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify({
                query: LOGIN,
                variables: { e: loginEmails[nextLogin++ % LOGIN_ACCOUNTS], p: PASSWORD },
              }),
            }),
            onResponse: checked('login'),
          },
        ],
      },
      {
        name: '`refreshToken`, every token spent once',
        connections: CONNECTIONS,
        prepare: topUp,
        requests: () => [
          {
            ...post(''),
            setupRequest: (req) => {
              let token = refreshPool.shift();
              if (token === undefined) {
                refreshStats.starved++;
                token = generateToken('refresh'); // refused: counted as an error below
              }
              if (spent.has(token)) refreshStats.reused++;
              spent.add(token);
              return { ...req, body: JSON.stringify({ query: REFRESH, variables: { t: token } }) };
            },
            onResponse: (status: number, body: string) => {
              checked('refreshToken')(status, body);
              const next = /"refreshToken":"(tsr_[^"]+)"/.exec(body)?.[1];
              if (!next) return;
              if (spent.has(next)) refreshStats.repeatedPair++;
              else refreshPool.push(next);
            },
          },
        ],
      },
    ];

    const run = async (kind: Kind, seconds: number, target = server): Promise<Round> => {
      await kind.prepare?.();
      await settle(target.pid);
      proxy.statements.length = 0;
      graphqlErrors = 0;
      const cpuBefore = cpuMs(target.pid);
      const coreBefore = coreTicks(SERVER_CORE);
      const loadBefore = process.cpuUsage();
      const wallBefore = performance.now();
      const lagMs: number[] = [];
      if (kind.probeLag) await eventLoopDelayMs(target); // resets the server's histogram
      const probe = kind.probeLag
        ? setInterval(() => {
            const sent = performance.now();
            fetch(`${target.url}/healthz`).then(
              (r) => r.body?.cancel().then(() => lagMs.push(performance.now() - sent)),
              () => {},
            );
          }, 10)
        : undefined;
      const result = await autocannon({
        url: `${target.url}/graphql`,
        connections: kind.connections,
        duration: seconds,
        requests: kind.requests(),
      });
      clearInterval(probe);
      const loopLag = kind.probeLag
        ? await eventLoopDelayMs(target)
        : { p99: Number.NaN, max: Number.NaN };
      const loadCpu = process.cpuUsage(loadBefore);
      const wall = performance.now() - wallBefore;
      const serverCpuDuring = cpuMs(target.pid) - cpuBefore;
      const core = coreTicks(SERVER_CORE);
      await settle(target.pid);
      const sent = result.requests.sent;
      return {
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        completed: result.requests.total,
        sent,
        statementsPerRequest: businessStatements(proxy) / sent,
        cpuMsPerRequest: (cpuMs(target.pid) - cpuBefore) / sent,
        rssMiB: memoryMiB(target.pid, 'VmRSS'),
        loadCpuPercent: ((loadCpu.user + loadCpu.system) / 1000 / wall) * 100,
        serverCpuPercent: (serverCpuDuring / wall) * 100,
        stealPercent: ((core.steal - coreBefore.steal) / (core.total - coreBefore.total)) * 100,
        bad: result.non2xx + result.errors + result.timeouts + graphqlErrors,
        lagMs,
        loopLag,
      };
    };

    for (const kind of kinds) {
      await run(kind, Math.min(2, SECONDS)); // warm-up: caches, JIT
      await run(kind, Math.min(2, SECONDS), control);
    }
    const rounds = new Map<Kind, Round[]>(kinds.map((k) => [k, []]));
    const controlRounds = new Map<Kind, Round[]>(kinds.map((k) => [k, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of kinds) {
        // Which of the two goes first alternates, so neither always follows the other's load.
        const order = r % 2 === 0 ? [server, control] : [control, server];
        for (const target of order) {
          (target === server ? rounds : controlRounds)
            .get(kind)
            ?.push(await run(kind, SECONDS, target));
        }
      }
    }
    // The ratio the target is set on, in pairs: an anonymous and an authenticated round back to
    // back (which goes first alternates). The rate of one kind moves by up to ±20 % between
    // rounds a minute apart on this machine (other tenants, the hypervisor), so the ratio of
    // the medians above carries that drift; within a pair both rounds share seconds of the same
    // conditions. The median of the pairs' ratios is the verdict's; both are reported.
    const [anon, authed, , loginKind, refresh] = kinds as [Kind, Kind, Kind, Kind, Kind];
    const pairSeconds = Math.min(2, SECONDS);
    const pairs: Array<{ rps: number; cpu: number; bad: number }> = [];
    for (let p = 0; p < PAIRS; p++) {
      const got = new Map<Kind, Round>();
      for (const kind of p % 2 === 0 ? [anon, authed] : [authed, anon]) {
        got.set(kind, await run(kind, pairSeconds));
      }
      const [a, b] = [got.get(anon) as Round, got.get(authed) as Round];
      pairs.push({
        rps: b.rps / a.rps,
        cpu: a.cpuMsPerRequest / b.cpuMsPerRequest,
        bad: a.bad + b.bad,
      });
    }
    const peakRss = memoryMiB(server.pid, 'VmHWM');
    const controlPeakRss = memoryMiB(control.pid, 'VmHWM');

    // A control: the proxy sits on this process's core, so the database-bound kinds are also
    // run once against a second process that talks to PostgreSQL directly.
    const direct = await startServer(databaseUrl, 'direct');
    const controls: Array<{ kind: Kind; rps: number; p50: number; p99: number }> = [];
    try {
      for (const kind of [kinds[4] as Kind]) {
        await kind.prepare?.();
        await autocannon({
          url: `${direct.url}/graphql`,
          connections: kind.connections,
          duration: Math.min(2, SECONDS),
          requests: kind.requests(),
        });
        await kind.prepare?.();
        const r = await autocannon({
          url: `${direct.url}/graphql`,
          connections: kind.connections,
          duration: SECONDS,
          requests: kind.requests(),
        });
        controls.push({ kind, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 });
      }
    } finally {
      await direct.stop();
    }

    const m = (kind: Kind, pick: (r: Round) => number, from = rounds) =>
      median((from.get(kind) ?? []).map(pick));
    const lag = (from: Map<Kind, Round[]>) => (from.get(loginKind) ?? []).flatMap((r) => r.lagMs);
    const lagText = (from: Map<Kind, Round[]>) => {
      const xs = lag(from);
      return xs.length
        ? `p50 ${f(quantile(xs, 0.5), 2)} ms, p99 ${f(quantile(xs, 0.99), 2)} ms, max ${f(Math.max(...xs), 2)} ms (${xs.length} probes)`
        : 'no probes answered';
    };
    const flagRows = kinds.map(
      (k) =>
        `| ${k.name} | ${f(
          m(k, (r) => r.rps),
          0,
        )} | ${f(
          m(k, (r) => r.rps, controlRounds),
          0,
        )} | ${f(m(k, (r) => r.rps) / m(k, (r) => r.rps, controlRounds), 2)} | ${f(
          m(k, (r) => r.cpuMsPerRequest),
          3,
        )} | ${f(
          m(k, (r) => r.cpuMsPerRequest, controlRounds),
          3,
        )} | ${(controlRounds.get(k) ?? []).map((r) => f(r.rssMiB, 0)).join(' / ')} |`,
    );
    const rows = kinds.map((k) => {
      const rs = rounds.get(k) ?? [];
      const rps = rs.map((r) => r.rps);
      return `| ${k.name} | ${k.connections} | ${f(
        m(k, (r) => r.rps),
        0,
      )} (${f(Math.min(...rps), 0)}–${f(Math.max(...rps), 0)}) | ${f(m(k, (r) => r.p50))} | ${f(m(k, (r) => r.p99))} | ${f(
        m(k, (r) => r.statementsPerRequest),
        2,
      )} | ${f(
        m(k, (r) => r.cpuMsPerRequest),
        3,
      )} | ${rs.map((r) => f(r.rssMiB, 0)).join(' / ')} | ${f(
        m(k, (r) => r.serverCpuPercent),
        0,
      )} | ${f(
        m(k, (r) => r.stealPercent),
        1,
      )} | ${f(
        m(k, (r) => r.loadCpuPercent),
        0,
      )} | ${rs.reduce((s, r) => s + r.bad, 0)} of ${rs.reduce((s, r) => s + r.completed, 0)} |`;
    });
    const unpairedRatio = m(authed, (r) => r.rps) / m(anon, (r) => r.rps);
    const pairRatios = pairs.map((p) => p.rps);
    const throughputRatio = median(pairRatios);
    const pairCpuRatio = median(pairs.map((p) => p.cpu));
    // How far that median could be from the machine's true ratio, given the pairs' scatter:
    // a 90 % bootstrap interval (resampling the pairs), reported, not judged.
    const resampledMedians = Array.from({ length: 2000 }, () =>
      median(
        pairRatios.map(() => pairRatios[Math.floor(Math.random() * pairRatios.length)] as number),
      ),
    );
    const ratioInterval = [quantile(resampledMedians, 0.05), quantile(resampledMedians, 0.95)];
    const probeLagP99 = lag(rounds).length ? quantile(lag(rounds), 0.99) : Number.NaN;
    const loopLags = (from: Map<Kind, Round[]>) =>
      (from.get(loginKind) ?? []).map((r) => r.loopLag);
    const loopLagText = (from: Map<Kind, Round[]>) =>
      loopLags(from)
        .map((l) => `${f(l.p99, 2)} (max ${f(l.max, 1)})`)
        .join(' / ');
    // The worst login round's: the target holds in every round or not at all (none: NaN, FAIL).
    const loginLagP99 = loopLags(rounds).length
      ? Math.max(...loopLags(rounds).map((l) => l.p99))
      : Number.NaN;
    const cpuRatio = m(refresh, (r) => r.cpuMsPerRequest) / m(authed, (r) => r.cpuMsPerRequest);
    const warmStatements = Math.max(
      ...(rounds.get(authed) ?? []).map((r) => r.statementsPerRequest),
    );
    const verdict = (ok: boolean) => (ok ? '**PASS**' : '**FAIL**');
    if (refreshStats.reused || refreshStats.repeatedPair || refreshStats.starved) {
      notes.push(`refresh chain: ${JSON.stringify(refreshStats)}`);
    }
    const all = [...rounds.values(), ...controlRounds.values()].flat();
    if (all.some((r) => r.bad > 0) || pairs.some((p) => p.bad > 0)) {
      notes.push('part 1 saw non-2xx, errors or GraphQL errors');
    }

    return {
      body: `### 1. Throughput, latency and cost per request (one production process)

Two processes on core 1 take the same load, round for round: the production command (\`${PRODUCTION_ARGS}\`) and, as a control, the same without its V8 flags (\`${CONTROL_ARGS}\`), both with METRICS_PORT set, as an operator runs them; the first table and the ratios are the production command's. ${ROUNDS} interleaved rounds of ${SECONDS} s per kind and process (which process goes first alternates), after a ${Math.min(2, SECONDS)} s warm-up of each; medians over rounds. Statements: counted on the wire by a proxy between the server and PostgreSQL, the revocation bus's own lease renewals excluded, ÷ requests sent. Server CPU: utime+stime of its process (all threads) ÷ requests sent. RSS after start ${f(rssAtStart, 0)} MiB, after each round in the table; peak (VmHWM) at the end: **${f(peakRss, 0)} MiB**. Server CPU % and steal %: the server process, and the hypervisor's steal on its core, while the load ran (a server below ~100 % is not what limits the rate). Load CPU: this process (autocannon and the proxy) on its core. req/s: median (lowest–highest round).

| request | connections | req/s | p50 ms | p99 ms | statements/req | server CPU ms/req | RSS MiB per round | server CPU % | steal % | load CPU % | errors |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Event-loop delay during the login rounds, as the server itself measures it (Node's monitorEventLoopDelay, prom-client's \`nodejs_eventloop_lag_p99_seconds\`, read from /metrics before and after each round; the histogram holds intervals of a 10 ms timer, so 10 ms is taken off), p99 per round: ${loopLagText(rounds)} ms; the control: ${loopLagText(controlRounds)} ms (one sample per 10 ms tick, so a long stall counts once: the max shows it). A probe from this process also asked \`/healthz\` every 10 ms (its answer waits for whatever the server's event loop is doing, and also for this process, which runs the load, the proxy and the probe on one core, so it bounds the lag from above): ${lagText(rounds)}; the control: ${lagText(controlRounds)}.

The production command against the control (the same load, round for round). RSS after start ${f(rssAtStart, 0)} and ${f(controlRssAtStart, 0)} MiB; **peak (VmHWM) ${f(peakRss, 0)} MiB against ${f(controlPeakRss, 0)} MiB**.

| request | req/s | control req/s | ratio | server CPU ms/req | control CPU ms/req | control RSS MiB per round |
|---|---|---|---|---|---|---|
${flagRows.join('\n')}

Control without the counting proxy (a second process on core 1, the first one idle, one ${SECONDS} s round after a warm-up): ${controls.map((c) => `${c.kind.name.split(',')[0]} ${f(c.rps, 0)} req/s, p50 ${f(c.p50)} ms, p99 ${f(c.p99)} ms`).join('; ')}.

Authenticated against anonymous, in ${PAIRS} pairs of ${pairSeconds} s rounds back to back on the production command (which of the two goes first alternates): req/s ratio per pair ${pairRatios.map((x) => f(x, 3)).join(', ')}; median **${f(throughputRatio, 3)}**, 90 % bootstrap interval of that median ${f(ratioInterval[0] as number, 3)}–${f(ratioInterval[1] as number, 3)} (the ratio of the medians of the rounds in the first table: ${f(unpairedRatio, 3)}). Server CPU per anonymous request ÷ per authenticated one, median of the pairs: ${f(pairCpuRatio, 3)}.

Refresh chain: ${spent.size} tokens spent, each once (${refreshStats.reused} spent twice, ${refreshStats.repeatedPair} repeated pairs, ${refreshStats.starved} requests without a fresh token).

| ratio | value | target | |
|---|---|---|---|
| authenticated / anonymous req/s (median of the pairs) | ${f(throughputRatio, 2)} | ≥ 0.95 | ${verdict(throughputRatio >= 0.95)} |
| refresh CPU/req ÷ authenticated CPU/req | ${f(cpuRatio, 1)} | ≤ 5 | ${verdict(cpuRatio <= 5)} |
| statements per warm authenticated request (worst round) | ${f(warmStatements, 3)} | 0 | ${verdict(warmStatements === 0)} |
| peak RSS of the production command under this load, MiB | ${f(peakRss, 0)} | ≤ 180 | ${verdict(peakRss <= 180)} |
| event-loop delay p99 during logins (the server's own, worst round), ms | ${f(loginLagP99, 2)} | < 10 | ${verdict(loginLagP99 < 10)} |
| the same by the /healthz probe (an upper bound), ms | ${f(probeLagP99, 2)} | | |`,
      complaints: [...server.complaints, ...control.complaints],
    };
  } finally {
    await server.stop();
    await control.stop();
    await proxy.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Part 2: logout on A, then B and C asked at once

async function partTwo(databaseUrl: string) {
  const servers = [
    await startServer(databaseUrl, 'A'),
    await startServer(databaseUrl, 'B'),
    await startServer(databaseUrl, 'C'),
  ];
  const [a, b, c] = servers as [Server, Server, Server];
  try {
    const logoutMs: number[] = [];
    const firstRejection = { B: [] as number[], C: [] as number[] };
    const requestsUntilRejection: number[] = [];
    const reasons = new Map<string, number>();
    let acceptedAfter = 0;
    let warmFailures = 0;
    let logoutFailures = 0;
    const started = Date.now();
    let done = 0;
    for (let i = 0; i < REVOCATIONS && Date.now() - started < 180_000; i++) {
      const auth = await signUp(a.url, `revoke-${i}-${randomUUID()}@example.com`);
      for (const peer of [b, c]) {
        if (!(await gql(peer.url, ME, {}, auth.accessToken)).body.data?.me) warmFailures++;
      }
      const out = await gql(a.url, 'mutation { logout }', {}, auth.accessToken);
      const answeredAt = performance.now();
      if (out.body.data?.logout !== true) logoutFailures++;
      logoutMs.push(out.ms);
      await Promise.all(
        (['B', 'C'] as const).map(async (name) => {
          const peer = name === 'B' ? b : c;
          for (let n = 1; n <= 100; n++) {
            const r = await gql(peer.url, ME, {}, auth.accessToken);
            if (r.body.data?.me) {
              acceptedAfter++;
              continue;
            }
            const reason = String(
              r.body.errors?.[0]?.extensions?.reason ?? r.body.errors?.[0]?.message,
            );
            reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
            firstRejection[name].push(performance.now() - answeredAt);
            requestsUntilRejection.push(n);
            return;
          }
        }),
      );
      done++;
    }
    const stats = (xs: number[]) =>
      xs.length
        ? `${f(quantile(xs, 0.5), 2)} | ${f(quantile(xs, 0.99), 2)} | ${f(Math.max(...xs), 2)}`
        : '— | — | —';
    if (acceptedAfter) notes.push(`${acceptedAfter} acceptances after logout answered`);
    if (warmFailures || logoutFailures) {
      notes.push(`part 2: ${warmFailures} warm-up failures, ${logoutFailures} failed logouts`);
    }
    return {
      body: `### 2. Revocation across three instances

Three production processes (A, B, C) on one database, all on core 1. ${done} times: sign up on A, \`me\` once on B and on C (cached as valid there), \`logout\` on A, then at once on B and on C \`me\` until it is refused.

| ms | p50 | p99 | max |
|---|---|---|---|
| \`logout\` on A (answers after B and C dropped the entry) | ${stats(logoutMs)} |
| logout answered → first refusal on B | ${stats(firstRejection.B)} |
| logout answered → first refusal on C | ${stats(firstRejection.C)} |

Requests until refused: max ${requestsUntilRejection.length ? Math.max(...requestsUntilRejection) : '—'} (1 = the first request after logout). Reasons: ${[...reasons].map(([k, v]) => `${k} ×${v}`).join(', ')}. **Acceptances after logout answered: ${acceptedAfter}** (must be 0).`,
      complaints: servers.flatMap((s) => s.complaints),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

// ---------------------------------------------------------------------------------------------
// Part 3: the hot path and the prune at 10^7 access tokens

/** Each sample token once (cold: never used before), then each again (warm). */
async function lookups(base: string, tokens: string[], width: number) {
  const once = async () => {
    const ms: number[] = [];
    let bad = 0;
    const started = performance.now();
    await inParallel(tokens.length, width, async (i) => {
      const r = await gql(base, ME, {}, tokens[i]);
      if (!r.body.data?.me) bad++;
      ms.push(r.ms);
    });
    return { ms, bad, rps: tokens.length / ((performance.now() - started) / 1000) };
  };
  return { cold: await once(), warm: await once() };
}

async function partThree(databaseUrl: string) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const phases: string[] = [];
  const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    phases.push(`| ${label} | ${f((performance.now() - started) / 1000, 1)} |`);
    return result;
  };
  try {
    // Users and live sessions for the rows to belong to; the sample's plaintext stays here.
    await timed(`${BULK_SESSIONS} users and sessions`, async () => {
      await db.query(`insert into users (id, email, password_hash, created_at, updated_at)
        select gen_random_uuid(), 'bulk-' || g || '@example.com', 'x', now(), now()
        from generate_series(1, ${BULK_SESSIONS}) g`);
      await db.query(`create table bench_sessions as
        select gen_random_uuid() as id, u.id as user_id, row_number() over () - 1 as n
        from users u where u.email like 'bulk-%'`);
      await db.query(`insert into sessions (id, user_id, created_at, last_used_at, expires_at)
        select id, user_id, now(), now(), now() + interval '30 days' from bench_sessions`);
    });
    // WARM_UP more, used to warm each fresh process (JIT, pool connections) before it is timed.
    const sample = Array.from({ length: COLD_SAMPLE + WARM_UP }, () => generateToken('access'));
    await timed(`${COLD_SAMPLE + WARM_UP} sample tokens (plaintext known)`, () =>
      db.query(
        `insert into access_tokens (id, token_hash, session_id, created_at, expires_at)
         select gen_random_uuid(), h, s.id, now(), now() + interval '1 day'
         from unnest($1::text[]) with ordinality as t(h, k)
         join bench_sessions s on s.n = t.k % ${BULK_SESSIONS}`,
        [sample.map(hashToken)],
      ),
    );
    const warmUp = sample.splice(COLD_SAMPLE);
    const half = COLD_SAMPLE / 2;
    const measure = async (label: string, tokens: string[]) => {
      const proxy = await startTcpProxy(databaseUrl);
      const server = await startServer(proxy.url, label);
      try {
        await lookups(server.url, warmUp, 4);
        proxy.statements.length = 0;
        const cold = await lookups(server.url, tokens, 1);
        // Cold and warm passes both counted; the warm one should add none.
        const statements = businessStatements(proxy) / tokens.length;
        return {
          ...cold,
          statements,
          peakRss: memoryMiB(server.pid, 'VmHWM'),
          complaints: server.complaints,
        };
      } finally {
        await server.stop();
        await proxy.close();
      }
    };
    const small = await measure('small table', sample.slice(0, half));

    // The bulk load, time-boxed: without the indexes, then the indexes built once (a load of
    // 10^6 rows into the indexed table took ~30 s here and grows with the index).
    await db.query(`alter table access_tokens drop constraint access_tokens_session_id_foreign,
      drop constraint access_tokens_token_hash_unique, drop constraint access_tokens_pkey`);
    await db.query('drop index access_tokens_session_id_index');
    let loaded = 0;
    const loadStarted = performance.now();
    await timed('bulk rows (batches of 10^6, no indexes)', async () => {
      while (loaded < ACCESS_ROWS && performance.now() - loadStarted < LOAD_BUDGET_SECONDS * 1000) {
        const rows = Math.min(BATCH_ROWS, ACCESS_ROWS - loaded);
        // The oldest rows are the expired ones, as they would be in a table filled over time.
        const expires =
          loaded < EXPIRED_ROWS ? "now() - interval '1 day'" : "now() + interval '1 day'";
        await db.query(`insert into access_tokens (id, token_hash, session_id, created_at, expires_at)
          select gen_random_uuid(), md5(random()::text) || md5(random()::text), s.id, now(), ${expires}
          from generate_series(1, ${rows}) g join bench_sessions s on s.n = g % ${BULK_SESSIONS}`);
        loaded += rows;
      }
    });
    await timed('primary key, unique token_hash, session_id index, foreign key', async () => {
      await db.query(
        'alter table access_tokens add constraint access_tokens_pkey primary key (id)',
      );
      await db.query(
        'alter table access_tokens add constraint access_tokens_token_hash_unique unique (token_hash)',
      );
      await db.query('create index access_tokens_session_id_index on access_tokens (session_id)');
      await db.query(`alter table access_tokens add constraint access_tokens_session_id_foreign
        foreign key (session_id) references sessions (id) on delete cascade`);
    });
    await timed('vacuum analyze', () => db.query('vacuum analyze access_tokens'));
    const total = Number((await db.query('select count(*) from access_tokens')).rows[0].count);
    const size = (
      await db.query(
        `select pg_size_pretty(pg_table_size('access_tokens')) as heap,
              pg_size_pretty(pg_indexes_size('access_tokens')) as indexes`,
      )
    ).rows[0] as { heap: string; indexes: string };
    const large = await measure('large table', sample.slice(half));

    // The prune, as cron would run it (`npm run prune`), time-boxed.
    const expiredBefore = Number(
      (await db.query('select count(*) from access_tokens where expires_at < now()')).rows[0].count,
    );
    const proxy = await startTcpProxy(databaseUrl);
    const pruneStarted = performance.now();
    const pruneArgv = [process.execPath, 'src/cli/tessera.ts', 'prune'];
    if (hasTaskset) pruneArgv.unshift('taskset', '-c', '1');
    const prune = spawn(pruneArgv[0] as string, pruneArgv.slice(1), {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: proxy.url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exitCode = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => prune.kill('SIGKILL'), PRUNE_BUDGET_SECONDS * 1000);
      prune.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    const pruneSeconds = (performance.now() - pruneStarted) / 1000;
    await db.query(`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()`);
    const batches = proxy.statements.filter((s) =>
      /delete from access_tokens/.test(s.text ?? ''),
    ).length;
    await proxy.close();
    const expiredAfter = Number(
      (await db.query('select count(*) from access_tokens where expires_at < now()')).rows[0].count,
    );
    const deleted = expiredBefore - expiredAfter;
    const finished = exitCode === 0;
    if (!finished)
      notes.push(`prune did not finish within ${PRUNE_BUDGET_SECONDS} s (exit ${exitCode})`);
    if (loaded < ACCESS_ROWS)
      notes.push(`only ${loaded} of ${ACCESS_ROWS} rows loaded in the budget`);

    const row = (label: string, r: Awaited<ReturnType<typeof lookups>>['cold']) =>
      `${label} | ${f(r.rps, 0)} | ${f(quantile(r.ms, 0.5), 2)} | ${f(quantile(r.ms, 0.99), 2)} | ${f(Math.max(...r.ms), 2)} | ${r.bad}`;
    return {
      body: `### 3. The hot path and the prune at ${total.toLocaleString('en')} access tokens

${COLD_SAMPLE} access tokens whose plaintext is known were inserted (live sessions, never used); half were looked up before the bulk load, half after, each by a fresh production process (empty cache; warmed first with ${WARM_UP} other tokens), one request at a time, each token once (cold) and then once more (warm). The bulk rows: ${loaded.toLocaleString('en')} with random hashes over ${BULK_SESSIONS} sessions, loaded without indexes and the indexes built afterwards (packed tighter than organic growth would leave them); the first ${Math.min(EXPIRED_ROWS, loaded).toLocaleString('en')} expired a day ago. Table ${size.heap}, indexes ${size.indexes}.

| phase | s |
|---|---|
${phases.join('\n')}

| \`me\` lookups | access_tokens rows | req/s | p50 ms | p99 ms | max ms | errors |
|---|---|---|---|---|---|---|
| ${row(`cold | ${COLD_SAMPLE}`, small.cold)} |
| ${row(`warm | ${COLD_SAMPLE}`, small.warm)} |
| ${row(`cold | ${total.toLocaleString('en')}`, large.cold)} |
| ${row(`warm | ${total.toLocaleString('en')}`, large.warm)} |

Statements for the cold and the warm pass together, per token: ${f(small.statements, 2)} at ${COLD_SAMPLE} rows, ${f(large.statements, 2)} at ${total.toLocaleString('en')} (1 = one per cold lookup, none warm). Peak RSS of the server: ${f(small.peakRss, 0)} / ${f(large.peakRss, 0)} MiB. **Cold p99 at ${total.toLocaleString('en')} rows ÷ at ${COLD_SAMPLE}: ${f(quantile(large.cold.ms, 0.99) / quantile(small.cold.ms, 0.99), 2)}.**

Prune (\`node src/cli/tessera.ts prune\`, the \`npm run prune\` entry, on core 1): ${finished ? 'finished' : `**stopped after the ${PRUNE_BUDGET_SECONDS} s budget**`} in ${f(pruneSeconds, 1)} s; expired access tokens ${expiredBefore.toLocaleString('en')} → ${expiredAfter.toLocaleString('en')} (${deleted.toLocaleString('en')} deleted, ${f(deleted / pruneSeconds, 0)} rows/s, ${batches} delete statements of at most 1000 rows).`,
      complaints: [...small.complaints, ...large.complaints],
    };
  } finally {
    await db.end();
  }
}

// ---------------------------------------------------------------------------------------------

const runStarted = performance.now();
const loadAverageAtStart = loadavg()
  .map((x) => x.toFixed(2))
  .join(' / ');
const database = await benchDatabase();
try {
  const one = await partOne(database.url);
  process.stdout.write(`${one.body}\n\n`);
  const two = await partTwo(database.url);
  process.stdout.write(`${two.body}\n\n`);
  const three = await partThree(database.url);
  const complaints = [...one.complaints, ...two.complaints, ...three.complaints];
  const minutes = (performance.now() - runStarted) / 60_000;
  record(
    'Load, revocation and scale: the production process',
    'npm run bench',
    `Measured at ${revision}. Load average before the run ${loadAverageAtStart} (the machine is shared; other engineers' tests run on it). Servers: \`${PRODUCTION_ARGS}\` (the production command, package.json's \`start\`) with NODE_ENV=production, LOG_LEVEL=warn, PRUNE_INTERVAL_SECONDS=0, SIGNUP_MAX_PER_IP=100000, ${hasTaskset ? 'pinned to core 1 (`taskset -c 1`); the load generator on core 0' : 'not pinned (no taskset)'}; PostgreSQL on the same machine, not pinned. Whole run: ${f(minutes, 1)} min.

${one.body}

${two.body}

${three.body}

Server log lines at warn or above: ${complaints.length ? `\n\n\`\`\`\n${complaints.slice(0, 20).join('\n')}\n\`\`\`` : 'none.'}${notes.length ? `\n\nNoticed: ${notes.join('; ')}.` : ''}`,
  );
} finally {
  await database.close();
  agent.destroy();
}
