// SIGTERM to the real production process under load, on DATABASE_URL and on the embedded
// database: /readyz turns 503, every request sent before the signal (a few hundred in flight,
// logins among them) gets its whole 200 answer, new connections are refused once the listener
// is closed, the process exits 0 within SHUTDOWN_TIMEOUT_SECONDS, and no PostgreSQL of its own
// is left running. Past SHUTDOWN_TIMEOUT_SECONDS it closes what is left and exits 1.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMigratedDatabase } from '../database.ts';
import { ROOT, startProductionProcess } from './production-process.ts';

let database: { url: string; drop(): Promise<void> };
beforeAll(async () => {
  database = await createMigratedDatabase(inject('databaseUrl'));
});
afterAll(() => database?.drop());

const startServer = (env: Record<string, string>) =>
  startProductionProcess({ DATABASE_URL: database.url, NODE_ENV: 'production', ...env });

type Outcome =
  | { kind: 'ok'; path: string }
  | { kind: 'status'; status: number; path: string; body: string }
  | { kind: 'refused' }
  | { kind: 'unaccepted' }
  | { kind: 'failed'; error: string; path: string };

/**
 * One request on `agent`. 'refused': the connection was refused; 'unaccepted': a new connection
 * was reset before any answer, as the kernel resets connections still waiting to be accepted
 * when the listener closes (the server never read the request). Anything else is 'failed'.
 */
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
          // A 200 with GraphQL errors (a refused login) is not a whole answer either.
          resolve(
            res.statusCode === 200 && !text.includes('"errors"')
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
          : !req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')
            ? { kind: 'unaccepted' }
            : { kind: 'failed', error: `${error.code ?? ''} ${error.message}`, path },
      ),
    );
    req.end(body?.json);
  });
}

const graphql = (query: string, variables: object = {}) => JSON.stringify({ query, variables });

/** Processes whose command line mentions `text` (the embedded PostgreSQL names its data dir). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (command.includes(text)) found.push(`${pid}: ${command}`);
    } catch {
      // It exited while we looked.
    }
  }
  return found;
}

/** Keep-alive clients, as a load balancer's connections are: each sends its next request at once. */
const CLIENTS = 300;
const SHUTDOWN_TIMEOUT_SECONDS = 10;

interface Sent {
  startedAt: number;
  finishedAt: number;
  login: boolean;
  outcome: Outcome;
}

describe.each([
  { database: 'DATABASE_URL', embedded: false },
  { database: 'the embedded database', embedded: true },
])('SIGTERM under load on $database', ({ embedded }) => {
  let dataDir = '';
  beforeAll(() => {
    if (embedded) dataDir = mkdtempSync(join(tmpdir(), 'tessera-shutdown-'));
  });
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`every request sent before the signal gets its whole 200 answer, the process exits 0 within SHUTDOWN_TIMEOUT_SECONDS${embedded ? ', and its PostgreSQL is gone' : ''}`, async () => {
    const settings = {
      SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
      // Correct logins only; no throttle wait between the checks in flight of one account.
      LOGIN_MAX_FAILURES: '1000',
    };
    const server = await (embedded
      ? startProductionProcess({ DATA_DIR: dataDir, ...settings })
      : startServer(settings));
    const clusterDir = join(dataDir, 'postgres');
    if (embedded) expect(processesMentioning(clusterDir)).not.toEqual([]);

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
    const token = (JSON.parse(signedUp) as { data: { signUp: { accessToken: string } } }).data
      .signUp.accessToken;

    const login = {
      // ~20 ms of argon2 with the production parameters: a slow request in flight.
      json: graphql(
        'mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: email, p: password },
      ),
    };
    // One client in ten sends only logins: 30 in flight at any moment (one client network may
    // have 100 password checks in flight); the others send quick authenticated queries.
    const quick = [
      { json: graphql('{ __typename }') },
      { json: graphql('{ me { id } }'), token },
      { json: graphql('{ me { id email } }'), token },
    ];
    const sent: Sent[] = [];
    let stopped = false;
    const clients = Array.from({ length: CLIENTS }, async (_, i) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let n = 0; !stopped; n++) {
        const body = i % 10 === 0 ? login : quick[(i + n) % quick.length];
        const startedAt = performance.now();
        const outcome = await send(agent, server.port, '/graphql', body);
        sent.push({ startedAt, finishedAt: performance.now(), login: body === login, outcome });
        if (outcome.kind === 'refused' || outcome.kind === 'unaccepted') break;
      }
      agent.destroy();
    });
    // Watches for the drain's 503 (seen only when a poll lands on a kept-alive connection during
    // the drain; the last test checks it deterministically).
    const readiness: Outcome[] = [];
    const readinessLoop = (async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (;;) {
        const outcome = await send(agent, server.port, '/readyz');
        readiness.push(outcome);
        if (outcome.kind === 'refused' || outcome.kind === 'unaccepted' || stopped) break;
      }
      agent.destroy();
    })();

    // The signal comes while some clients' first connections may still wait to be accepted
    // (a saturated server takes one per event-loop turn): those requests were sent too.
    const loadFrom = performance.now();
    while (sent.length < 3 * CLIENTS || performance.now() - loadFrom < 1500) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    stopped = true;
    await Promise.all([...clients, readinessLoop]);

    const beforeSignal = sent.filter((s) => s.startedAt < signalledAt);
    const inFlight = beforeSignal.filter((s) => s.finishedAt > signalledAt);
    const notAnswered = beforeSignal.filter((s) => s.outcome.kind !== 'ok');
    const failedAfter = sent.filter(
      (s) =>
        s.startedAt >= signalledAt && !['ok', 'refused', 'unaccepted'].includes(s.outcome.kind),
    );
    const figures = {
      sent: sent.length,
      inFlightAtSignal: inFlight.length,
      loginsInFlightAtSignal: inFlight.filter((s) => s.login).length,
      notAnswered: notAnswered.length,
      failedAfterSignal: failedAfter.length,
      refused: sent.filter((s) => s.outcome.kind === 'refused').length,
      unacceptedAfterSignal: sent.filter((s) => s.outcome.kind === 'unaccepted').length,
      msFromSigtermToExit: Math.round(exit.at - signalledAt),
      slowestInFlightMs: Math.round(Math.max(...inFlight.map((s) => s.finishedAt - signalledAt))),
      exit,
      readiness503: readiness.filter((o) => o.kind === 'status' && o.status === 503).length,
    };
    console.log(JSON.stringify(figures));
    expect(notAnswered.slice(0, 5).map((s) => s.outcome)).toEqual([]);
    expect(failedAfter.slice(0, 5).map((s) => s.outcome)).toEqual([]);
    expect(inFlight.length).toBeGreaterThanOrEqual(CLIENTS - 10);
    expect(figures.loginsInFlightAtSignal).toBeGreaterThanOrEqual(20);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(figures.msFromSigtermToExit).toBeLessThan(SHUTDOWN_TIMEOUT_SECONDS * 1000);
    const log = server.output.join('\n');
    expect(log).toContain('"msg":"shutting down"');
    expect(log).toContain('"msg":"shut down"');
    expect(log).not.toMatch(/"level":50|unclean/);
    if (embedded) {
      expect(processesMentioning(clusterDir)).toEqual([]);
      // A PostgreSQL that shut down cleanly removes its pid file; a killed one leaves it.
      expect(existsSync(join(clusterDir, 'postmaster.pid'))).toBe(false);
    }
  }, 120_000);
});

it.each([
  // npm runs a script through `sh -c`; without `exec` in the script the shell took the signal
  // and died, and the server ran on as an orphan, still answering.
  { to: 'npm alone, as a supervisor sends it', signal: 'SIGTERM' as const, group: false },
  // Both npm and the server get it, and npm forwards it again: the second must not cut the
  // drain short.
  { to: 'the whole process group, as Ctrl-C does', signal: 'SIGINT' as const, group: true },
])(
  '$signal to `npm start` ($to) reaches the server: it drains, exits, and npm with it',
  async ({ signal, group }) => {
    const npm = spawn(
      process.env.npm_execpath ? process.execPath : 'npm',
      [...(process.env.npm_execpath ? [process.env.npm_execpath] : []), 'start', '--silent'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: database.url,
          NODE_ENV: 'production',
          PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: group, // a process group of its own, as a terminal gives a command
      },
    );
    const output: string[] = [];
    npm.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    const npmExited = once(npm, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const { port, pid } = await new Promise<{ port: number; pid: number }>((resolve, reject) => {
      npm.stdout.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          output.push(line);
          const record = JSON.parse(line) as { port?: number; pid: number; msg?: string };
          if (record.msg?.startsWith('Tessera is listening') && record.port)
            resolve(record as never);
        }
      });
      void npmExited.then(() => reject(new Error(`npm exited: ${output.join('\n')}`)));
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(pid).not.toBe(npm.pid);

    // An idle keep-alive connection keeps the drain going for its grace (1 s), long enough for
    // a second signal to land in the middle of it.
    const idle = await rawConnection(port);
    await idle.ask('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    if (group) process.kill(-(npm.pid as number), signal);
    else npm.kill(signal);
    const [npmCode] = await npmExited;
    const serverAlive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 50 && serverAlive(); i++) await new Promise((r) => setTimeout(r, 100));
    const orphaned = serverAlive();
    if (orphaned) process.kill(pid, 'SIGTERM'); // not left running when this fails
    expect(orphaned).toBe(false);
    expect(output.join('\n')).toContain('"msg":"shut down"');
    expect(npmCode).toBe(0);
    await idle.closed;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  },
);

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
