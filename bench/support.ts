// What every benchmark needs: a migrated database of its own (on DATABASE_URL's server, else an
// embedded PostgreSQL), statistics, a description of the machine, and a results file.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { startEmbeddedDatabase } from '../src/db/embedded-database.ts';
import { createMigratedDatabase } from '../test/database.ts';

export async function benchDatabase(): Promise<{ url: string; close(): Promise<void> }> {
  const configured = loadConfig(process.env).databaseUrl;
  const dataDir = configured ? undefined : mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const embedded = dataDir ? await startEmbeddedDatabase(dataDir, () => {}) : undefined;
  const database = await createMigratedDatabase(configured ?? (embedded as { url: string }).url);
  return {
    url: database.url,
    async close() {
      await database.drop();
      await embedded?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return (
    (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (at - low)
  );
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${
    loadConfig(process.env).databaseUrl ? 'PostgreSQL at DATABASE_URL' : 'embedded PostgreSQL'
  }`;
}

/** Prints a result and appends it, with the machine and the date, to bench/RESULTS.md. */
export function record(title: string, command: string, body: string): void {
  const entry = `\n## ${title}\n\n${new Date().toISOString().slice(0, 10)} · ${machine()} · \`${command}\`\n\n${body.trim()}\n`;
  process.stdout.write(entry);
  appendFileSync(new URL('./RESULTS.md', import.meta.url), entry);
}
