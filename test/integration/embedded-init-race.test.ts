// Processes that start on a fresh DATA_DIR at the same moment (`npm start` beside `npx tessera
// doctor` on a new clone) or after one died while it created the cluster: every one of them gets
// a working embedded database, and so does every start after them. Real processes, each calling
// src/db/embedded-database.ts as the server and the CLI do, then the real CLI.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, expect, it } from 'vitest';
import { ROOT, runTessera } from './production-process.ts';

const MODULE_URL = pathToFileURL(join(ROOT, 'src/db/embedded-database.ts')).href;

// Starts the embedded database, runs one query on it, prints the outcome as one JSON line, and
// keeps it (and so the PostgreSQL it may have started for the other process) until its stdin ends.
const STARTER = `
const [moduleUrl, dataDir] = process.argv.slice(1);
const { startEmbeddedDatabase } = await import(moduleUrl);
const { default: pg } = await import('pg');
try {
  const database = await startEmbeddedDatabase(dataDir, () => {});
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('select 1');
  await client.end();
  console.log(JSON.stringify({ ok: true, reached: database.reached }));
  await new Promise((resolve) => process.stdin.once('end', resolve).resume());
  await database.stop();
} catch (error) {
  console.log(JSON.stringify({ ok: false, code: error?.code, message: String(error?.message ?? error) }));
  process.exitCode = 1;
}
`;

/** The JSON line a starter prints once it has (or failed to get) a database. */
interface Outcome {
  ok: boolean;
  reached?: boolean;
  code?: string;
  message?: string;
}

interface Starter {
  child: ChildProcess;
  outcome: Promise<Outcome>;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const dataDirs: string[] = [];

function startStarter(dataDir: string, options: { detached?: boolean } = {}): Starter {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', STARTER, MODULE_URL, dataDir],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: options.detached,
    },
  );
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let stdout = '';
  const outcome = new Promise<Outcome>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(stdout.slice(0, newline)));
    });
    void exited.then((code) => resolve({ ok: false, message: `exited (${code}) silently` }));
  });
  return { child, outcome, exited };
}

async function release(starter: Starter) {
  starter.child.stdin?.end();
  expect(await starter.exited).toBe(0);
}

function freshDataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-init-race-'));
  dataDirs.push(dir);
  return join(dir, 'data'); // not there yet, as on a fresh clone
}

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** The CLI, run after the race, on the same data directory: it reaches a working database. */
async function expectDoctorPasses(dataDir: string) {
  const doctor = await runTessera(
    ['doctor', '--json'],
    { DATA_DIR: dataDir },
    { timeoutMs: 120_000 },
  );
  expect(doctor.stdout).not.toContain('28P01');
  expect(doctor.json?.checks, doctor.stderr).toContainEqual(
    expect.objectContaining({ name: 'database', ok: true }),
  );
  expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
}

it('two processes starting at once on a fresh data directory both get the database, and so does every start after them', async () => {
  const dataDir = freshDataDir();
  const first = startStarter(dataDir);
  const second = startStarter(dataDir);
  const outcomes = await Promise.all([first.outcome, second.outcome]);
  // Before the fix one of them failed with initdb's "exists but is not empty", and the password
  // file then held its password, not the cluster's.
  expect(outcomes).toEqual([
    expect.objectContaining({ ok: true }),
    expect.objectContaining({ ok: true }),
  ]);
  // One PostgreSQL: one process started it, the other reached it.
  expect(outcomes.map((outcome) => outcome.reached).sort()).toEqual([false, true]);
  const [starter, reacher] = outcomes[0].reached ? [second, first] : [first, second];
  await release(reacher);
  await release(starter);

  // A later start (before the fix: 28P01 password authentication failed, for good).
  const third = startStarter(dataDir);
  expect(await third.outcome).toEqual({ ok: true, reached: false });
  await release(third);
  await expectDoctorPasses(dataDir);
  expect(existsSync(join(dataDir, 'init.lock'))).toBe(false);
}, 300_000); // creates a cluster and starts PostgreSQL three times

it('a process killed while it creates the cluster leaves no lock or half a cluster behind that stops the next start', async () => {
  const dataDir = freshDataDir();
  // Its own process group, so that the kill takes initdb with it, as a crash of the machine would.
  const doomed = startStarter(dataDir, { detached: true });
  // initdb writes PG_VERSION early and then runs for a second or more: kill it in between.
  const halfway = Date.now() + 120_000;
  const versionFile = () =>
    existsSync(dataDir) &&
    readdirSync(dataDir).some((entry) => existsSync(join(dataDir, entry, 'PG_VERSION')));
  while (!versionFile() && Date.now() < halfway && doomed.child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(versionFile()).toBe(true);
  process.kill(-(doomed.child.pid as number), 'SIGKILL');
  await doomed.exited;
  // What it leaves: its lock, naming a process that no longer runs, and half a cluster.
  expect(existsSync(join(dataDir, 'init.lock'))).toBe(true);

  const next = startStarter(dataDir);
  expect(await next.outcome).toEqual({ ok: true, reached: false });
  await release(next);
  await expectDoctorPasses(dataDir);
  // Nothing the killed process was making is left to fill the disk.
  expect(readdirSync(dataDir).sort()).toEqual(['postgres', 'postgres-password']);
}, 300_000);
