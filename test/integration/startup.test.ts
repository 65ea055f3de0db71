// Starting the real production entry with a bad setting: one friendly line on stderr, no stack.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PRODUCTION_COMMAND, ROOT } from './production-process.ts';

/** Runs the server with only `env` set; kills it if it has not given up within 15 s. */
function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PRODUCTION_COMMAND[0], PRODUCTION_COMMAND.slice(1), {
      cwd: ROOT,
      // A data directory that does not exist: nothing here may get as far as creating it.
      env: {
        PATH: process.env.PATH ?? '',
        DATA_DIR: join(tmpdir(), `tessera-never-${process.pid}`),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

it.each([
  [{ PORT: 'not-a-port' }, 'Tessera cannot start: PORT must be a whole number, got "not-a-port"'],
  [
    { SHUTDOWN_TIMEOUT_SECONDS: '0' },
    'Tessera cannot start: SHUTDOWN_TIMEOUT_SECONDS must be between 1 and 300, got 0',
  ],
  [
    { CORS_ORIGINS: 'https://app.example.com, https://*.example.com' },
    'Tessera cannot start: CORS_ORIGINS entry "https://*.example.com" is a wildcard; list each origin exactly (must be an origin like https://app.example.com)',
  ],
  [
    { REFRESH_COOKIE_SAMESITE: 'relaxed' },
    'Tessera cannot start: REFRESH_COOKIE_SAMESITE must be one of Strict, Lax, None, got "relaxed"',
  ],
  [
    { NODE_ENV: 'production' },
    'Tessera cannot start: DATABASE_URL is required when NODE_ENV=production (the embedded database is for development only)',
  ],
])(
  'a bad setting (%o) stops the start with one line naming it, and no stack trace',
  async (env, line) => {
    const { code, stderr } = await run(env);
    expect(code).toBe(1);
    expect(stderr).toBe(`${line}\n`);
  },
);
