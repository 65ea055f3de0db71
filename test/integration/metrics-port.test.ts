// METRICS_PORT in the real production process: set, /metrics is served there (and counts what
// the API port did); unset, the process listens on the API port alone, and that port has no
// /metrics either way.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createMigratedDatabase } from '../database.ts';
import { type ProductionProcess, startProductionProcess } from './production-process.ts';

let database: { url: string; drop(): Promise<void> };
beforeAll(async () => {
  database = await createMigratedDatabase(inject('databaseUrl'));
});
afterAll(() => database?.drop());

function start(env: Record<string, string> = {}): Promise<ProductionProcess> {
  return startProductionProcess({
    DATABASE_URL: database.url,
    NODE_ENV: 'production',
    PRUNE_INTERVAL_SECONDS: '0',
    ...env,
  });
}

/** What it logged so far, line by line (stdout is JSON). */
const records = (server: ProductionProcess) =>
  server.output.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

async function stop(server: ProductionProcess): Promise<number | null> {
  server.child.kill('SIGTERM');
  return (await server.exited).code;
}

/** The TCP ports process `pid` listens on, from /proc (its socket inodes in LISTEN state). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed while we looked
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = row.trim().split(/\s+/);
      // local_address is field 1 (address:port in hex), st field 3 (0A = LISTEN), inode field 9.
      if (fields[3] === '0A' && inodes.has(fields[9] as string)) {
        ports.push(Number.parseInt((fields[1] as string).split(':')[1] as string, 16));
      }
    }
  }
  return ports.sort((a, b) => a - b);
}

const graphql = (port: number, query: string) =>
  fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });

it('METRICS_PORT set: /metrics is served there and counts the API port’s traffic', async () => {
  const server = await start({ METRICS_PORT: '0' });
  try {
    const { port } = server;
    // Logged just after the API port's line.
    await expect.poll(() => records(server).find((r) => r.metricsPort !== undefined)).toBeDefined();
    const metricsPort = records(server).find((r) => r.metricsPort !== undefined)
      ?.metricsPort as number;
    expect(metricsPort).not.toBe(port);
    expect(listeningPorts(server.child.pid as number)).toEqual(
      [port, metricsPort].sort((a, b) => a - b),
    );
    await graphql(
      port,
      'mutation { login(email: "nobody@example.com", password: "wrong password") { accessToken } }',
    );
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('tessera_logins_total{outcome="invalid_credentials"} 1');
    expect(body).toMatch(/^tessera_nodejs_eventloop_lag_seconds \d/m);
    expect(body).toMatch(/^tessera_db_pool_connections\{pool="orm",state="in_use"\} \d/m);
    expect(body).toMatch(/^tessera_db_pool_connections\{pool="throttle",state="idle"\} \d/m);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
  } finally {
    expect(await stop(server)).toBe(0);
  }
});

it('METRICS_PORT unset: nothing but the API port listens, and it has no /metrics', async () => {
  const server = await start();
  try {
    const { port } = server;
    expect(listeningPorts(server.child.pid as number)).toEqual([port]);
    expect(records(server).some((r) => r.metricsPort !== undefined)).toBe(false);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('tessera_');
  } finally {
    expect(await stop(server)).toBe(0);
  }
});
