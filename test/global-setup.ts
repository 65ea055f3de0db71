// Gives the test run a database of its own: a new database on DATABASE_URL's server when it is
// set, else on an embedded PostgreSQL in a temporary directory. Migrated once, dropped after.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createOrmOptions } from '../mikro-orm.config.ts';
import { loadConfig } from '../src/config.ts';
import { startEmbeddedDatabase } from '../src/db/embedded-database.ts';
import { migrateDatabase } from '../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject) {
  const configured = loadConfig(process.env).databaseUrl;
  const dataDir = configured ? undefined : mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const embedded = dataDir ? await startEmbeddedDatabase(dataDir, () => {}) : undefined;
  const serverUrl = configured ?? (embedded as { url: string }).url;

  const name = `tessera_test_${process.pid}_${Date.now()}`;
  await adminQuery(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();

  const orm = await MikroORM.init(createOrmOptions({ clientUrl: databaseUrl }));
  await migrateDatabase(orm, databaseUrl);
  await orm.close();
  project.provide('databaseUrl', databaseUrl);

  return async () => {
    await adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
