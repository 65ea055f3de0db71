// The production entry as the README's `npm start` runs it, minus npm: `node` itself, with the
// flags package.json's `start` gives it, running the compiled output in dist/ (`npm run build`,
// which `npm start` runs first), so that signals reach the server and nothing else. Read from
// package.json, so that the command tests and benchmarks run is the one production runs (one
// place for its flags). The Dockerfile's CMD is this command too (container.test.ts).
// And the operator CLI (`tessera`) the same way, run to its end: it runs its TypeScript sources
// directly (Node's type stripping), since it is short-lived and memory is no concern there.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const start: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).scripts.start;
// An `exec` in front (the shell then becomes node, so signals reach it) changes nothing here.
const [program, ...args] = start.replace(/^exec\s+/, '').split(/\s+/);
if (program !== 'node' || args.some((arg) => /["'$;&|<>]/.test(arg))) {
  throw new Error(`package.json's start is not a plain \`node …\` command: ${start}`);
}

let built = false;

/**
 * Compiles src/ to dist/ with package.json's `build` (types erased, no type check: that is
 * `npm run typecheck`'s job), so the production process runs the sources as they are now. Once
 * per process: the tests' global setup calls it before any worker starts, the benchmarks
 * before their first server. The build writes a directory of its own and renames it over
 * dist/, so a server never starts from half-written files.
 */
export function buildProduction(): void {
  if (built) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  built = true;
}

/** argv of the production process; spawn it with `cwd: ROOT`. */
export const PRODUCTION_COMMAND: readonly [string, ...string[]] = [process.execPath, ...args];

/** argv of the `tessera` bin (package.json `bin`), without its arguments. */
export const CLI_COMMAND: readonly [string, ...string[]] = [process.execPath, 'src/cli/tessera.ts'];

export interface ProductionProcess {
  child: ChildProcess;
  port: number;
  /** Every line it wrote, stdout (JSON) and stderr. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/**
 * Starts the production process with only PATH, `PORT=0` and `env` set, and resolves once it
 * says it listens (rejects if it exits first).
 */
export async function startProductionProcess(
  env: Record<string, string>,
): Promise<ProductionProcess> {
  const child = spawn(PRODUCTION_COMMAND[0], PRODUCTION_COMMAND.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        const record = JSON.parse(line) as { port?: number; msg?: string };
        if (record.msg?.startsWith('Tessera is listening') && record.port) resolve(record.port);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    void exited.then(() => reject(new Error(`the server exited: ${output.join('\n')}`)));
  });
  return { child, port, output, exited };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as JSON, when the run had --json. */
  json: any;
  /** performance.now() when it exited. */
  exitedAt: number;
}

/**
 * Runs `tessera args…` with only PATH, HOME and `env` set (so nothing of the test's own
 * environment, such as DATABASE_URL, leaks in), `stdin` written to it; kills it after
 * `timeoutMs`.
 */
export function runTessera(
  args: string[],
  env: Record<string, string>,
  options: { stdin?: string; timeoutMs?: number; command?: readonly string[] } = {},
): Promise<CliRun> {
  const [command = '', ...prefix] = options.command ?? CLI_COMMAND;
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdin.end(options.stdin ?? '');
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const exitedAt = performance.now();
      let json: unknown;
      try {
        json = args.includes('--json') ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json, exitedAt });
    });
  });
}
