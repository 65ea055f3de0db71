// The hot path: is an authenticated request (`{ me { id } }`, one indexed query, no write) as
// fast as an unauthenticated one (`{ __typename }`, no query)? Alternating rounds of each with
// autocannon against a server in another process; reported as medians and a ratio, with the
// server's CPU time per request (from /proc), which a machine shared with other work disturbs
// far less than throughput.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { cpuMs } from './production-server.ts';
import { benchDatabase, quantile, record } from './support.ts';

const SECONDS = Number(process.env.SECONDS ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONNECTIONS = 32;

const database = await benchDatabase();
const server = spawn(process.execPath, [new URL('./serve.ts', import.meta.url).pathname], {
  env: { ...process.env, BENCH_DATABASE_URL: database.url },
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const url: string = await new Promise((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    createInterface({ input: server.stdout }).once('line', (line) => resolve(JSON.parse(line).url));
  });
  const signUp = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query:
        'mutation { signUp(email: "bench@example.com", password: "bench password") { accessToken } }',
    }),
  });
  const token = ((await signUp.json()) as { data: { signUp: { accessToken: string } } }).data.signUp
    .accessToken;

  const load = async (body: string, headers: Record<string, string>) => {
    const cpuBefore = cpuMs(server.pid as number);
    const result = await autocannon({
      url: `${url}/graphql`,
      method: 'POST',
      connections: CONNECTIONS,
      duration: SECONDS,
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    if (result.non2xx || result.errors)
      throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
    const cpuUs = ((cpuMs(server.pid as number) - cpuBefore) * 1000) / result.requests.total;
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      cpuUs,
    };
  };
  const anonymous = () => load(JSON.stringify({ query: '{ __typename }' }), {});
  const authenticated = () =>
    load(JSON.stringify({ query: '{ me { id } }' }), { authorization: `Bearer ${token}` });

  await anonymous(); // warm-up
  await authenticated();
  const runs = {
    anonymous: [] as Awaited<ReturnType<typeof anonymous>>[],
    authenticated: [] as Awaited<ReturnType<typeof anonymous>>[],
  };
  for (let i = 0; i < ROUNDS; i++) {
    runs.anonymous.push(await anonymous());
    runs.authenticated.push(await authenticated());
  }
  const median = (xs: number[]) => quantile(xs, 0.5);
  const row = (name: string, rs: typeof runs.anonymous) =>
    `| ${name} | ${median(rs.map((r) => r.rps)).toFixed(0)} | ${median(rs.map((r) => r.p50)).toFixed(1)} | ${median(rs.map((r) => r.p99)).toFixed(1)} | ${median(rs.map((r) => r.cpuUs)).toFixed(0)} |`;
  const ratio =
    median(runs.authenticated.map((r) => r.rps)) / median(runs.anonymous.map((r) => r.rps));
  record(
    'Hot path: authenticated vs unauthenticated request',
    'npm run bench:hot-path',
    `${ROUNDS} alternating rounds of ${SECONDS} s each, ${CONNECTIONS} connections, server in production mode in its own process.

| request | req/s (median) | p50 ms | p99 ms | server CPU µs/request |
|---|---|---|---|---|
${row('anonymous `{ __typename }`', runs.anonymous)}
${row('authenticated `{ me { id } }`', runs.authenticated)}

**authenticated / anonymous throughput = ${ratio.toFixed(2)}**`,
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  await database.close();
}
