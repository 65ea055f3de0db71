// `npm run bench:v8-flags`: the production process under a few sets of V8 flags at once, round
// for round: server CPU per request and peak RSS for anonymous, authenticated and login load.
// For choosing the flags of package.json's `start` (docs/performance.md). Env: FLAG_SETS
// (sets separated by `|`, flags by spaces; an empty set is the bare command), ROUNDS, SECONDS.
import autocannon from 'autocannon';
import {
  COMMAND_WITHOUT_V8_FLAGS,
  cpuMs,
  memoryMiB,
  pinLoadGenerator,
  type Server,
  startServer,
} from './production-server.ts';
import { benchDatabase, quantile, record } from './support.ts';

const FLAG_SETS = (
  process.env.FLAG_SETS ??
  '|--max-semi-space-size=4|--max-semi-space-size=4 --heap-growing-percent=50'
).split('|');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 4);
const PASSWORD = 'bench password';

pinLoadGenerator();
const database = await benchDatabase();
const [node, ...args] = COMMAND_WITHOUT_V8_FLAGS;
const servers: Array<{ flags: string; server: Server; cpu: Map<string, number[]> }> = [];
try {
  for (const [i, flags] of FLAG_SETS.entries()) {
    const command = [node, ...flags.split(' ').filter(Boolean), ...args] as const;
    const server = await startServer(database.url, `set ${i}`, command);
    servers.push({ flags: flags || '(none)', server, cpu: new Map() });
  }
  const post = (query: string) => ({
    method: 'POST' as const,
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const tokens: string[] = [];
  for (let i = 0; i < 200; i += 4) {
    // Spread over the processes, so that each holds the memory of as many sign-ups.
    const target = servers[(i / 4) % servers.length]?.server.url as string;
    const batch = await Promise.all(
      [0, 1, 2, 3].map(async (k) => {
        const response = await fetch(`${target}/graphql`, {
          ...post(
            `mutation { signUp(email: "flags-${i + k}@example.com", password: "${PASSWORD}") { accessToken } }`,
          ),
        });
        const body = (await response.json()) as { data: { signUp: { accessToken: string } } };
        return body.data.signUp.accessToken;
      }),
    );
    tokens.push(...batch);
  }
  let nextToken = 0;
  let nextLogin = 0;
  const kinds: Record<string, { connections: number; requests: () => autocannon.Request[] }> = {
    'anonymous `{ __typename }`': {
      connections: 32,
      requests: () => [post('{ __typename }')],
    },
    'authenticated `{ me { id email } }`': {
      connections: 32,
      requests: () => [
        {
          ...post('{ me { id email } }'),
          setupRequest: (req) => ({
            ...req,
            headers: { ...req.headers, authorization: `Bearer ${tokens[nextToken++ % 200]}` },
          }),
        },
      ],
    },
    login: {
      connections: 8,
      requests: () => [
        {
          ...post(''),
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({
              query: `mutation { login(email: "flags-${nextLogin++ % 64}@example.com", password: "${PASSWORD}") { accessToken } }`,
            }),
          }),
        },
      ],
    },
  };
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, kind] of Object.entries(kinds)) {
      // Round -1 warms every process up; which goes first alternates afterwards.
      for (const entry of round % 2 === 0 ? servers : [...servers].reverse()) {
        const before = cpuMs(entry.server.pid);
        const result = await autocannon({
          url: `${entry.server.url}/graphql`,
          connections: kind.connections,
          duration: round < 0 ? 2 : SECONDS,
          requests: kind.requests(),
        });
        if (round < 0) continue;
        const perRequest = (cpuMs(entry.server.pid) - before) / result.requests.sent;
        entry.cpu.set(name, [...(entry.cpu.get(name) ?? []), perRequest]);
      }
    }
  }
  const rows = servers.map(
    ({ flags, server, cpu }) =>
      `| \`${flags}\` | ${Object.keys(kinds)
        .map((name) => {
          const xs = cpu.get(name) ?? [];
          return `${quantile(xs, 0.5).toFixed(3)} (${xs.map((x) => x.toFixed(3)).join(', ')})`;
        })
        .join(
          ' | ',
        )} | ${memoryMiB(server.pid, 'VmHWM').toFixed(0)} | ${memoryMiB(server.pid, 'VmRSS').toFixed(0)} |`,
  );
  record(
    'V8 flags of the production process, side by side',
    'npm run bench:v8-flags',
    `\`node ${args.join(' ')}\` with each set of flags, all on core 1, the load generator on core 0; 200 sign-ups spread over them, then ${ROUNDS} rounds of ${SECONDS} s per kind and process (the order alternating), after a 2 s warm-up of each. Server CPU per request in ms: median (each round).

| flags | ${Object.keys(kinds).join(' | ')} | peak RSS MiB | RSS at the end MiB |
|---|${Object.keys(kinds)
      .map(() => '---')
      .join('|')}|---|---|
${rows.join('\n')}`,
  );
} finally {
  await Promise.all(servers.map(({ server }) => server.stop()));
  await database.close();
}
