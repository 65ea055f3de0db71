// The production entry as the README's `npm start` runs it, minus npm: `node` itself, running
// the TypeScript sources by stripping their types, so that signals reach the server and
// nothing else.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** argv of the production process; spawn it with `cwd: ROOT`. */
export const PRODUCTION_COMMAND: readonly [string, ...string[]] = [process.execPath, 'src/main.ts'];

export interface ProductionProcess {
  child: ChildProcess;
  /** Every JSON line it has logged so far. */
  lines: Array<Record<string, unknown>>;
  /** The first line (so far or to come) that `match`es; rejects if the process exits first. */
  line(match: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/** The production process with only `env` (and PATH) set, its log lines parsed as they come. */
export function startProductionProcess(env: Record<string, string>): ProductionProcess {
  const child = spawn(PRODUCTION_COMMAND[0], PRODUCTION_COMMAND.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiting = new Set<() => void>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    lines.push(JSON.parse(text) as Record<string, unknown>);
    for (const wake of waiting) wake();
  });
  return {
    child,
    lines,
    line(match) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const found = lines.find(match);
          if (!found) return;
          waiting.delete(look);
          resolve(found);
        };
        waiting.add(look);
        look();
        void exited.then(() => {
          waiting.delete(look);
          reject(new Error(`the server exited: ${stderr}${JSON.stringify(lines)}`));
        });
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
