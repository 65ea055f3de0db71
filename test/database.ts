// Creating and dropping migrated databases for tests, on the server of `serverUrl`.
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { migrateDatabase } from '../src/db/migrate.ts';
import { createOrmOptions } from '../src/db/orm-options.ts';

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let counter = 0;

/** A new, migrated database beside the one `serverUrl` names. */
export async function createMigratedDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  counter += 1;
  const name = `tessera_test_${process.pid}_${Date.now()}_${counter}`;
  await adminQuery(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const orm = await MikroORM.init(createOrmOptions({ clientUrl: databaseUrl }));
  try {
    await migrateDatabase(orm, databaseUrl);
  } finally {
    await orm.close();
  }
  return {
    url: databaseUrl,
    drop: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`),
  };
}
