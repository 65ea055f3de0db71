// The CLI on the embedded database (DATABASE_URL unset) while the real server runs on it: the
// CLI reaches the PostgreSQL the server started instead of starting a second one on the same
// data directory (which failed "in use by another process"), and leaves it running; with no
// server, it starts one of its own and stops it again.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PASSWORD } from './harness.ts';
import {
  type ProductionProcess,
  runTessera,
  startProductionProcess,
} from './production-process.ts';

let dataDir: string;
let server: ProductionProcess | undefined;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-embedded-'));
});
afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const env = () => ({ DATA_DIR: dataDir });
const pidFile = () => join(dataDir, 'postgres', 'postmaster.pid');

async function graphql(query: string, variables: object = {}, token?: string) {
  const response = await fetch(`http://127.0.0.1:${server?.port}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: Array<{ extensions: any }> };
}

it('with a server running on the embedded database, the CLI reaches its PostgreSQL and leaves it running', async () => {
  // The CLI first, alone: it starts the embedded PostgreSQL (creating the cluster), migrates,
  // and stops it again.
  const migrated = await runTessera(['migrate', '--json'], env(), { timeoutMs: 120_000 });
  expect(migrated.code, migrated.stderr).toBe(0);
  expect(migrated.json.applied.length).toBeGreaterThanOrEqual(4);
  expect(existsSync(pidFile())).toBe(false);

  server = await startProductionProcess({ ...env(), TOKEN_CACHE_LEASE_SECONDS: '5' });
  const email = `embedded.${process.pid}@example.com`;
  const signedUp = await graphql(
    'mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { accessToken user { id } } }',
    { e: email, p: PASSWORD },
  );
  const { accessToken, user } = signedUp.data.signUp;
  for (let i = 0; i < 2; i++) {
    expect((await graphql('{ me { id } }', {}, accessToken)).data?.me.id).toBe(user.id);
  }

  const listed = await runTessera(['users', 'list', '--json'], env());
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.json.users.map((u: { email: string }) => u.email)).toEqual([email]);

  // `npm run prune`, which used to fail here with "in use by another process".
  const pruned = await runTessera(['run', '--silent', 'prune'], env(), { command: ['npm'] });
  expect(pruned.code, pruned.stderr).toBe(0);
  expect(pruned.stdout).toContain('Pruned');

  const revoked = await runTessera(['sessions', 'revoke', '--user', email, '--json'], env());
  expect(revoked.code, revoked.stderr).toBe(0);
  expect(revoked.json.revokedSessionCount).toBe(1);
  // The server's cache was warm; the CLI answered only after the server dropped the token.
  expect((await graphql('{ me { id } }', {}, accessToken)).errors?.[0]?.extensions).toMatchObject({
    code: 'UNAUTHENTICATED',
    reason: 'REVOKED',
  });

  // The CLI did not stop the server's database on its way out.
  expect((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status).toBe(200);
  expect(existsSync(pidFile())).toBe(true);

  server.child.kill('SIGTERM');
  expect((await server.exited).code).toBe(0);
  expect(existsSync(pidFile())).toBe(false);

  // No server now: the CLI starts the embedded PostgreSQL itself, finds the data, stops it.
  const after = await runTessera(['users', 'list', '--json'], env(), { timeoutMs: 120_000 });
  expect(after.code, after.stderr).toBe(0);
  expect(after.json.users.map((u: { email: string }) => u.email)).toEqual([email]);
  expect(existsSync(pidFile())).toBe(false);
}, 300_000); // creates a cluster and starts PostgreSQL three times
