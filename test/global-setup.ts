// Gives the test run a database of its own: a new database on DATABASE_URL's server when it is
// set, else on an embedded PostgreSQL in a temporary directory. Migrated once, dropped after.
// And compiles the production build the tests that start the production process run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.ts';
import { startEmbeddedDatabase } from '../src/db/embedded-database.ts';
import { createMigratedDatabase } from './database.ts';
import { buildProduction } from './integration/production-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // The production process (production-process.ts) runs dist/: built from the sources as they are.
  buildProduction();
  const configured = loadConfig(process.env).databaseUrl;
  const dataDir = configured ? undefined : mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const embedded = dataDir ? await startEmbeddedDatabase(dataDir, () => {}) : undefined;
  const database = await createMigratedDatabase(configured ?? (embedded as { url: string }).url);
  project.provide('databaseUrl', database.url);

  return async () => {
    await database.drop();
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
