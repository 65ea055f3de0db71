// `tessera doctor`: is this deployment sound? Each check passes or fails on its own, and a
// check that needs an earlier one is failed as skipped when that one failed.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { LEASE_TABLE } from '../auth/revocation-bus.ts';
import type { Config } from '../config.ts';
import { migrationsList } from '../db/migrations/index.ts';
import { type OpenDatabase, openDatabase } from '../db/open-database.ts';
import { connectionOptions, DATABASE_TIMEOUTS } from '../db/pool.ts';
import { createOperatorLogger, loadOperatorConfig } from './operator.ts';
import { asCliError, EXIT_CODES, type Report } from './output.ts';

interface Check {
  name: 'configuration' | 'database' | 'migrations' | 'clock' | 'notifications';
  ok: boolean;
  detail: string;
}

/** Where the database is, for a person: never the password a DATABASE_URL may hold. */
function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `the embedded PostgreSQL in DATA_DIR (${config.dataDir})`;
  const url = new URL(config.databaseUrl);
  return `DATABASE_URL (${url.hostname}:${url.port || '5432'}${url.pathname})`;
}

async function checkMigrations(database: OpenDatabase, config: Config): Promise<Check> {
  const migrator = database.orm.migrator;
  const pending = (await migrator.getPending()).map((m) => m.name);
  const known = new Set(migrationsList.map((m) => m.name));
  const unknown = (await migrator.getExecuted()).map((m) => m.name).filter((n) => !known.has(n));
  if (unknown.length) {
    return {
      name: 'migrations',
      ok: false,
      detail: `the database has migrations this version does not know (a newer version ran): ${unknown.join(', ')}`,
    };
  }
  if (!pending.length) return { name: 'migrations', ok: true, detail: 'none pending' };
  const list = `${pending.length} pending (${pending.join(', ')})`;
  return config.migrateOnStart
    ? {
        name: 'migrations',
        ok: true,
        detail: `${list}: a server applies them as it starts (MIGRATE_ON_START)`,
      }
    : {
        name: 'migrations',
        ok: false,
        detail: `${list}, and MIGRATE_ON_START is off: run tessera migrate`,
      };
}

/**
 * The database's clock against this machine's, from the middle of one round trip. Expiry is
 * reckoned on the instances' clocks and the cache leases on the database's, so they should agree.
 */
async function checkClock(client: pg.Client, maxSkewMs: number): Promise<Check> {
  const sent = Date.now();
  const { rows } = await client.query<{ at: number }>(
    'select (extract(epoch from clock_timestamp()) * 1000)::float8 as at',
  );
  const received = Date.now();
  const skewMs = Math.round((rows[0]?.at ?? 0) - (sent + received) / 2);
  const uncertaintyMs = Math.ceil((received - sent) / 2);
  const direction = skewMs >= 0 ? 'ahead of' : 'behind';
  return {
    name: 'clock',
    ok: Math.abs(skewMs) - uncertaintyMs <= maxSkewMs,
    detail: `the database's clock is ${Math.abs(skewMs)} ms ${direction} this machine's (±${uncertaintyMs} ms; at most ${maxSkewMs} ms allowed)`,
  };
}

/** How long a notification may take to come back before the check fails. */
const NOTIFICATION_TIMEOUT_MS = 2000;

/**
 * LISTEN/NOTIFY, which keeps every instance's token cache coherent (docs/token-cache.md): a
 * notification sent on this connection must come back on it. Behind a transaction-mode pooler
 * it does not, and the instances never serve from their caches (safe, and slower).
 */
async function checkNotifications(client: pg.Client): Promise<Check> {
  const channel = `tessera_doctor_${randomUUID().replaceAll('-', '')}`;
  await client.query(`listen ${channel}`);
  const started = performance.now();
  const heard = new Promise<boolean>((resolve) => {
    client.on('notification', (message) => message.channel === channel && resolve(true));
    setTimeout(() => resolve(false), NOTIFICATION_TIMEOUT_MS).unref();
  });
  await client.query('select pg_notify($1, $2)', [channel, 'ping']);
  const ok = await heard;
  await client.query(`unlisten ${channel}`);
  const leases = await client
    .query<{ n: number }>(`select count(*)::int as n from ${LEASE_TABLE} where expires_at > now()`)
    .then(({ rows }) => `; ${rows[0]?.n ?? 0} server instance(s) hold a cache lease`)
    .catch(() => '');
  return {
    name: 'notifications',
    ok,
    detail: ok
      ? `a notification came back in ${Math.round(performance.now() - started)} ms${leases}`
      : `a notification did not come back within ${NOTIFICATION_TIMEOUT_MS} ms (a transaction-mode pooler?): the token caches stay unused${leases}`,
  };
}

export async function doctor(
  env: NodeJS.ProcessEnv,
  options: { maxClockSkewMs: number },
): Promise<Report> {
  const checks: Check[] = [];
  const skip = (names: Check['name'][], why: string) => {
    for (const name of names) checks.push({ name, ok: false, detail: `skipped: ${why}` });
  };
  let config: Config | undefined;
  try {
    config = loadOperatorConfig(env);
    checks.push({
      name: 'configuration',
      ok: true,
      detail: `valid; the database is ${describeDatabase(config)}`,
    });
  } catch (error) {
    checks.push({ name: 'configuration', ok: false, detail: asCliError(error).message });
    skip(['database', 'migrations', 'clock', 'notifications'], 'the configuration is not valid');
  }
  if (config) {
    let database: OpenDatabase | undefined;
    try {
      database = await openDatabase(config, createOperatorLogger(config.logLevel), {
        migrate: false,
      });
      await database.orm.em.getConnection().execute('select 1');
      checks.push({ name: 'database', ok: true, detail: 'answers' });
    } catch (error) {
      checks.push({ name: 'database', ok: false, detail: asCliError(error).message });
      skip(['migrations', 'clock', 'notifications'], 'the database cannot be reached');
    }
    if (database && checks.at(-1)?.ok) {
      const client = new pg.Client({
        connectionString: database.databaseUrl,
        ...connectionOptions(DATABASE_TIMEOUTS),
      });
      client.on('error', () => {});
      const later: Array<[Check['name'], () => Promise<Check>]> = [
        ['migrations', () => checkMigrations(database, config)],
        ['clock', () => checkClock(client, options.maxClockSkewMs)],
        ['notifications', () => checkNotifications(client)],
      ];
      try {
        await client.connect();
        for (const [name, check] of later) {
          try {
            checks.push(await check());
          } catch (error) {
            checks.push({ name, ok: false, detail: asCliError(error).message });
          }
        }
      } catch (error) {
        skip(['migrations', 'clock', 'notifications'], asCliError(error).message);
      } finally {
        await client.end().catch(() => {});
      }
    }
    await database?.close().catch(() => {});
  }
  const ok = checks.every((c) => c.ok);
  const width = Math.max(...checks.map((c) => c.name.length));
  return {
    json: { ok, checks },
    text: checks
      .map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`)
      .join('\n'),
    exitCode: ok ? EXIT_CODES.OK : EXIT_CODES.FAILED,
  };
}
