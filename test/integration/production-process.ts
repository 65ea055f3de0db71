// The production entry as the README's `npm start` runs it, minus npm: `node` itself, running
// the TypeScript sources by stripping their types, so that signals reach the server and
// nothing else. The Dockerfile's CMD is this command too (test/integration/container.test.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** argv of the production process; spawn it with `cwd: ROOT`. */
export const PRODUCTION_COMMAND: readonly [string, ...string[]] = [process.execPath, 'src/main.ts'];

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
