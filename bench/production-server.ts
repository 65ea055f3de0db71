// The production process under benchmark (package.json's `start`: `node … dist/main.js`, as in
// production, built from the sources as they are when a benchmark starts), and what /proc says
// about it: CPU time and memory. Shared by bench.ts, soak.ts and v8-flags.ts.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../src/db/embedded-database.ts';
import {
  buildProduction,
  PRODUCTION_COMMAND,
  ROOT,
} from '../test/integration/production-process.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
export const hasTaskset = (() => {
  try {
    execFileSync('which', ['taskset']);
    return true;
  } catch {
    return false;
  }
})();

/** Pins this process (the load generator) to core 0; servers go to core 1. */
export function pinLoadGenerator(): void {
  if (hasTaskset) execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)]);
}
// ---------------------------------------------------------------------------------------------
// The production process

export interface Server {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Where its /metrics answers, when it was started with them. */
  metricsUrl?: string;
  /** Log lines at warn or above, and anything on stderr. */
  complaints: string[];
  stop(): Promise<void>;
}

/** The production command without its flags (all V8's): the control for what they cost. */
export const COMMAND_WITHOUT_V8_FLAGS: readonly [string, ...string[]] = [
  PRODUCTION_COMMAND[0],
  ...PRODUCTION_COMMAND.slice(1).filter((arg) => !arg.startsWith('--')),
];

export async function startServer(
  databaseUrl: string,
  name: string,
  command: readonly [string, ...string[]] = PRODUCTION_COMMAND,
  options: { metrics?: boolean } = {},
): Promise<Server> {
  buildProduction();
  const port = await freePort();
  const metricsPort = options.metrics ? await freePort() : undefined;
  const [node, ...args] = command;
  const argv = hasTaskset ? ['taskset', '-c', '1', node, ...args] : [node, ...args];
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      PRUNE_INTERVAL_SECONDS: '0',
      SIGNUP_MAX_PER_IP: '100000',
      ...(metricsPort !== undefined && { METRICS_PORT: String(metricsPort) }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const complaints: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() && complaints.length < 50) complaints.push(`${name}: ${line.slice(0, 300)}`);
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`${name} exited at start: ${complaints.join(' | ')}`);
    if (Date.now() > deadline) throw new Error(`${name} not ready within 30 s`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await sleep(100);
  }
  return {
    url,
    ...(metricsPort !== undefined && { metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` }),
    pid: child.pid as number,
    child,
    complaints,
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export const SERVER_CORE = 1;

/** Clock ticks of one core (from /proc/stat): all of them, and those stolen by the hypervisor. */
export function coreTicks(core: number): { total: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${core} `));
  const ticks = (line ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 };
}

/** utime + stime of the process (all its threads), in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

export function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
  return kb / 1024;
}

/** prom-client's eventLoopMonitoringPrecision (its default): the monitor's timer period, ms. */
const LOOP_MONITOR_RESOLUTION_MS = 10;

/**
 * The server's own event-loop delay since the last call (ms): p99 and max of prom-client's
 * monitorEventLoopDelay histogram, which every read of /metrics also resets. The histogram holds
 * the intervals between ticks of a timer set every 10 ms, so the delay is what exceeds 10; and
 * as it takes one sample per tick, one long stall is one sample (its max shows it).
 */
export async function eventLoopDelayMs(server: Server): Promise<{ p99: number; max: number }> {
  if (!server.metricsUrl) throw new Error('started without metrics');
  const text = await (await fetch(server.metricsUrl)).text();
  const read = (name: string) =>
    Number(
      new RegExp(`^tessera_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1],
    ) *
      1000 -
    LOOP_MONITOR_RESOLUTION_MS;
  return { p99: read('p99'), max: read('max') };
}

/** Waits (at most 3 s) until the server has finished what it was sent: its CPU stops moving. */
export async function settle(pid: number): Promise<void> {
  let last = cpuMs(pid);
  for (let i = 0; i < 30; i++) {
    await sleep(100);
    const now = cpuMs(pid);
    if (now - last < 1) return;
    last = now;
  }
}
