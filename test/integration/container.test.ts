// No container engine runs in CI, so the image is never built here. What can drift is held
// to what CI does run: the Dockerfile's CMD is the production command the tests and .ci/smoke
// start (`npm start` is the same command), under an init, as an unprivileged user, on the Node
// the npm scripts use; its HEALTHCHECK command passes against the real production process and
// fails when nothing answers; compose.yaml starts the image's own command.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createMigratedDatabase } from '../database.ts';
import { PRODUCTION_COMMAND, ROOT, startProductionProcess } from './production-process.ts';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const compose = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  engines: { node: string };
};

/** The Dockerfile's instructions, continuation lines joined; comments left out. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() && !line.trim().startsWith('#'));
/** The runtime stage: everything after the last FROM. */
const runtime = instructions.slice(instructions.findLastIndex((l) => l.startsWith('FROM ')));
const lastOf = (name: string) =>
  runtime
    .filter((l) => l.startsWith(`${name} `))
    .at(-1)
    ?.slice(name.length + 1) ?? '';
/** An exec-form (JSON) argument list, such as CMD's. */
const execForm = (text: string) => JSON.parse(text.trim()) as string[];

let database: { url: string; drop(): Promise<void> };
beforeAll(async () => {
  database = await createMigratedDatabase(inject('databaseUrl'));
});
afterAll(() => database?.drop());

it('the Dockerfile starts the production command CI runs, under tini, as an unprivileged user, on the npm scripts’ Node', () => {
  const [, ...args] = PRODUCTION_COMMAND;
  expect(execForm(lastOf('CMD'))).toEqual(['node', ...args]);
  // `exec`: npm's shell becomes node, so a signal to npm reaches the server (shutdown.test.ts).
  expect(pkg.scripts.start).toBe(['exec', 'node', ...args].join(' '));
  expect(execForm(lastOf('ENTRYPOINT'))).toEqual(['/usr/bin/tini', '--']);
  expect(runtime.some((l) => /apt-get install .*\btini\b/.test(l))).toBe(true);
  expect(lastOf('USER')).toMatch(/^(?!root\b|0\b)\S+$/);
  expect(lastOf('EXPOSE')).toBe('4000');
  expect(lastOf('ENV')).toBe('NODE_ENV=production');
  expect(instructions).toContain(`ARG NODE_VERSION=${pkg.dependencies.node}`);
  // Multi-stage: the runtime installs only production dependencies.
  expect(instructions.filter((l) => l.startsWith('FROM '))).toHaveLength(3);
  expect(dockerfile).toMatch(/RUN npm ci --omit=dev /);
  // The command runs dist/: the build stage compiles it, the runtime takes it from there.
  expect(instructions.some((l) => /^RUN .*\bnpm run build\b/.test(l))).toBe(true);
  expect(runtime).toContain('COPY --from=build /app/dist ./dist');
});

it('npm scripts run on the Node that npm ci installs, and engines names the first Node that runs the sources directly', () => {
  // The `node` dependency puts its binary first on the PATH of every npm script (and npx).
  expect(process.version).toBe(`v${pkg.dependencies.node}`);
  // The CLI and the tests run the sources directly, which needs type stripping on by default:
  // Node 22.18 (and 23.6) and later (the server's dist/ is plain JavaScript).
  expect(pkg.engines.node).toBe('>=22.18');
});

it('the HEALTHCHECK command passes against the production process and fails when nothing answers', async () => {
  const healthcheck = execForm(lastOf('HEALTHCHECK').replace(/^.*?\bCMD\s+/, ''));
  expect(healthcheck[0]).toBe('node');
  const check = (port: number) =>
    spawnSync(process.execPath, healthcheck.slice(1), {
      env: { PATH: process.env.PATH ?? '', PORT: String(port) },
      timeout: 10_000,
    }).status;

  const server = await startProductionProcess({
    DATABASE_URL: database.url,
    NODE_ENV: 'production',
  });
  try {
    expect(check(server.port)).toBe(0);
  } finally {
    server.child.kill('SIGTERM');
  }
  expect((await server.exited).code).toBe(0);
  expect(check(server.port)).toBe(1);
});

it('compose.yaml runs the image’s own command on two instances that wait for a healthy PostgreSQL', () => {
  expect(compose).not.toMatch(/^\s*(command|entrypoint):/m);
  expect(compose.match(/^ {2}tessera-\d+:/gm)).toHaveLength(2);
  expect(compose).toMatch(/condition: service_healthy/);
  expect(compose).toMatch(/DATABASE_URL: postgres:\/\/\S+@postgres:5432\//);
  expect(compose).toMatch(/healthcheck:\s+test: \["CMD-SHELL", "pg_isready/);
  // Docker sends SIGKILL after stop_grace_period: it must leave the drain its whole time.
  const grace = Number(/stop_grace_period: (\d+)s/.exec(compose)?.[1]);
  const timeout = Number(/SHUTDOWN_TIMEOUT_SECONDS: "(\d+)"/.exec(compose)?.[1]);
  expect(grace).toBeGreaterThan(timeout);
});
