// `npm run bench:soak`: is the production process's memory flat under a long mixed load? Each
// minute: authenticated requests over 200 tokens, anonymous ones, and logins; RSS sampled every
// 15 s. Reported per minute, with the slope over the second half (SOAK_SECONDS, default 600).

import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { PRODUCTION_COMMAND } from '../test/integration/production-process.ts';
import { memoryMiB, pinLoadGenerator, startServer } from './production-server.ts';
import { benchDatabase, record } from './support.ts';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const PASSWORD = 'bench password';
const ACCOUNTS = 200;

pinLoadGenerator();
const database = await benchDatabase();
const loadAverageAtStart = loadavg()
  .map((x) => x.toFixed(2))
  .join(' / ');
const server = await startServer(database.url, 'soak');
const samples: Array<{ atSeconds: number; rssMiB: number }> = [];
const started = performance.now();
const sample = () =>
  samples.push({
    atSeconds: (performance.now() - started) / 1000,
    rssMiB: memoryMiB(server.pid, 'VmRSS'),
  });

async function post(query: string, variables: object, token?: string) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, { accessToken: string }> };
}

/** One autocannon burst; throws on any non-2xx or socket error, since a soak must not fail. */
async function burst(options: autocannon.Options): Promise<number> {
  const result = await autocannon({ method: 'POST', ...options });
  if (result.non2xx || result.errors) {
    throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return result.requests.total;
}

try {
  const emails = Array.from({ length: ACCOUNTS }, (_, i) => `soak${i}@example.com`);
  const tokens: string[] = [];
  for (const email of emails) {
    const { data } = await post(
      'mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { accessToken } }',
      { e: email, p: PASSWORD },
    );
    tokens.push(data?.signUp?.accessToken as string);
  }
  sample();
  const timer = setInterval(sample, 15_000);
  let requests = 0;
  let turn = 0;
  const headers = { 'content-type': 'application/json' };
  while (performance.now() - started < SOAK_SECONDS * 1000) {
    requests += await burst({
      url: `${server.url}/graphql`,
      connections: 32,
      duration: 40,
      headers,
      requests: [
        {
          setupRequest: (request) => {
            turn = (turn + 1) % tokens.length;
            return {
              ...request,
              headers: { ...headers, authorization: `Bearer ${tokens[turn]}` },
              body: JSON.stringify({ query: '{ me { id } }' }),
            };
          },
        },
      ],
    });
    requests += await burst({
      url: `${server.url}/graphql`,
      connections: 32,
      duration: 10,
      headers,
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    requests += await burst({
      url: `${server.url}/graphql`,
      connections: 4,
      duration: 10,
      headers,
      body: JSON.stringify({
        query: `mutation { login(email: "${emails[turn % ACCOUNTS]}", password: "${PASSWORD}") { accessToken } }`,
      }),
    });
  }
  clearInterval(timer);
  sample();
  const peak = memoryMiB(server.pid, 'VmHWM');
  const minutes = new Map<number, number>();
  for (const s of samples) {
    const minute = Math.floor(s.atSeconds / 60);
    minutes.set(minute, Math.max(minutes.get(minute) ?? 0, s.rssMiB));
  }
  // Least-squares slope of the samples in the second half: a leak shows as a steady climb.
  const late = samples.filter((s) => s.atSeconds >= SOAK_SECONDS / 2);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const mx = mean(late.map((s) => s.atSeconds));
  const my = mean(late.map((s) => s.rssMiB));
  const slope =
    late.reduce((a, s) => a + (s.atSeconds - mx) * (s.rssMiB - my), 0) /
    late.reduce((a, s) => a + (s.atSeconds - mx) ** 2, 0);
  record(
    'Soak: memory of the production process under a long mixed load',
    'npm run bench:soak',
    `${SOAK_SECONDS} s of, each minute, 40 s of \`{ me { id } }\` over ${ACCOUNTS} tokens (32 connections), 10 s of \`{ __typename }\` (32), 10 s of \`login\` (4); \`${['node', ...PRODUCTION_COMMAND.slice(1)].join(' ')}\` (the production command) in production mode, pinned to core 1. Load average before the run ${loadAverageAtStart}, after it ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' / ')} (a shared machine). ${requests} requests, none failed.

| minute | ${[...minutes.keys()].join(' | ')} |
|---|${[...minutes.keys()].map(() => '---').join('|')}|
| max RSS MiB | ${[...minutes.values()].map((v) => v.toFixed(0)).join(' | ')} |

Peak RSS (VmHWM) **${peak.toFixed(0)} MiB**; slope of RSS over the second half **${(slope * 60).toFixed(2)} MiB/min** (flat is about 0).`,
  );
} finally {
  await server.stop();
  await database.close();
}
