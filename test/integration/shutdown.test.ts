// SIGTERM to the real production process under load: /readyz turns 503, every request already
// sent gets its whole 200 answer, new connections are refused once the listener is closed, and
// the process exits 0. Past SHUTDOWN_TIMEOUT_SECONDS it closes what is left and exits 1.
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createMigratedDatabase } from '../database.ts';
import { type ProductionServer, startProductionServer } from './production-process.ts';

let database: { url: string; drop(): Promise<void> };
beforeAll(async () => {
  database = await createMigratedDatabase(inject('databaseUrl'));
});
afterAll(() => database?.drop());

/** The production server on this file's database, as production runs it. */
function startServer(env: Record<string, string>): Promise<ProductionServer> {
  return startProductionServer({ DATABASE_URL: database.url, NODE_ENV: 'production', ...env });
}

type Outcome =
  | { kind: 'ok'; path: string }
  | { kind: 'status'; status: number; path: string; body: string }
  | { kind: 'refused' }
  | { kind: 'failed'; error: string; path: string };

/** One request on `agent`; 'refused' only when the connection itself was refused. */
function send(
  agent: Agent,
  port: number,
  path: string,
  body?: { json: string; token?: string },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body ? 'POST' : 'GET',
        agent,
        headers: body
          ? {
              'content-type': 'application/json',
              ...(body.token && { authorization: `Bearer ${body.token}` }),
            }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve(
            res.statusCode === 200
              ? { kind: 'ok', path }
              : { kind: 'status', status: res.statusCode ?? 0, path, body: text },
          );
        });
        res.on('error', (error) => resolve({ kind: 'failed', error: String(error), path }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'ECONNREFUSED'
          ? { kind: 'refused' }
          : { kind: 'failed', error: `${error.code ?? ''} ${error.message}`, path },
      ),
    );
    req.end(body?.json);
  });
}

const graphql = (query: string, variables: object = {}) => JSON.stringify({ query, variables });

it('SIGTERM under load: every request already sent gets its whole 200 answer, and the process exits 0', async () => {
  const server = await startServer({ SHUTDOWN_TIMEOUT_SECONDS: '10' });
  const setup = new Agent({ keepAlive: false });
  const email = `shutdown.${process.pid}.${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  const signedUp = await new Promise<string>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/graphql',
        method: 'POST',
        agent: setup,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(
      graphql(
        'mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { accessToken } }',
        { e: email, p: password },
      ),
    );
  });
  const token = (JSON.parse(signedUp) as { data: { signUp: { accessToken: string } } }).data.signUp
    .accessToken;

  const bodies = [
    { json: graphql('{ __typename }') },
    { json: graphql('{ me { id } }'), token },
    {
      // ~20 ms of argon2 with the production parameters: a slow request in flight.
      json: graphql(
        'mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: email, p: password },
      ),
    },
  ];
  const outcomes: Outcome[] = [];
  let stopped = false;
  // Each loop is a keep-alive client, as a load balancer's connections are.
  const loops = Array.from({ length: 50 }, async (_, i) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let n = 0; !stopped; n++) {
      const outcome = await send(agent, server.port, '/graphql', bodies[(i + n) % bodies.length]);
      outcomes.push(outcome);
      if (outcome.kind === 'refused') break;
    }
    agent.destroy();
  });
  // Watches for the drain's 503 (seen only when a poll lands on a kept-alive connection during
  // the drain; the next test checks it deterministically).
  const readiness: Outcome[] = [];
  const readinessLoop = (async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (;;) {
      const outcome = await send(agent, server.port, '/readyz');
      readiness.push(outcome);
      if (outcome.kind === 'refused' || stopped) break;
    }
    agent.destroy();
  })();

  await new Promise((resolve) => setTimeout(resolve, 1500));
  const beforeSignal = outcomes.length;
  const signalledAt = performance.now();
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  stopped = true;
  await Promise.all([...loops, readinessLoop]);

  const failed = outcomes.filter((o) => o.kind === 'failed' || o.kind === 'status');
  const completed = outcomes.filter((o) => o.kind === 'ok').length;
  const figures = {
    completed,
    completedAfterSignal: completed - beforeSignal,
    failed: failed.length,
    refused: outcomes.filter((o) => o.kind === 'refused').length,
    msFromSigtermToExit: Math.round(exit.at - signalledAt),
    exit,
    readiness503: readiness.filter((o) => o.kind === 'status' && o.status === 503).length,
    slowestRequestMs: Math.max(
      ...server.output
        .filter((line) => line.includes('"msg":"request"'))
        .map((line) => (JSON.parse(line) as { durationMs: number }).durationMs),
    ),
  };
  console.log(JSON.stringify(figures));
  expect(failed.slice(0, 5)).toEqual([]);
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(completed).toBeGreaterThan(100);
  expect(server.output.join('\n')).toContain('"msg":"shutting down"');
  expect(server.output.join('\n')).not.toMatch(/"level":50|unclean/);
});

/** A raw connection; `ask` writes a request and resolves with the next response's head. */
async function rawConnection(port: number) {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.on('error', () => {});
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  return {
    socket,
    closed: once(socket, 'close'),
    async ask(raw: string): Promise<string> {
      received = '';
      socket.write(raw);
      while (!received.includes('\r\n\r\n')) await new Promise((r) => setTimeout(r, 10));
      return received;
    },
  };
}

it('during the drain /readyz says 503 and closes, new connections are refused, and past SHUTDOWN_TIMEOUT_SECONDS the rest is cut off (exit 1)', async () => {
  const server = await startServer({ SHUTDOWN_TIMEOUT_SECONDS: '2' });
  // A request that never finishes: its body is announced and never sent in full.
  const stuck = await rawConnection(server.port);
  stuck.socket.write(
    'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":',
  );
  // A keep-alive connection, idle when the signal comes.
  const idle = await rawConnection(server.port);
  expect(await idle.ask('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toMatch(
    /^HTTP\/1\.1 200 /,
  );

  const signalledAt = performance.now();
  server.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const draining = await idle.ask('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  expect(draining).toMatch(/^HTTP\/1\.1 503 /);
  expect(draining).toMatch(/\r\nconnection: close\r\n/i);
  await idle.closed;
  const refused = connect(server.port, '127.0.0.1');
  expect(((await once(refused, 'error')) as [NodeJS.ErrnoException])[0].code).toBe('ECONNREFUSED');

  const exit = await server.exited;
  await stuck.closed;
  const ms = exit.at - signalledAt;
  expect(exit).toMatchObject({ code: 1, signal: null });
  expect(ms).toBeGreaterThanOrEqual(1900);
  expect(ms).toBeLessThan(6000);
  expect(server.output.join('\n')).toMatch(/"level":50.*SHUTDOWN_TIMEOUT_SECONDS/);
});
