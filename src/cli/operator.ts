// The CLI's composition, as src/main.ts is the server's: configuration, the database (the
// embedded one reached while a server runs it), and the domain's dependencies, with the
// revocation bus as a revoker, so that a revocation made here answers only once every running
// instance has dropped the revoked tokens from its cache (docs/token-cache.md).
import { userInfo } from 'node:os';
import type { MikroORM } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { pino } from 'pino';
import { systemClock } from '../auth/clock.ts';
import type { AuthRequest } from '../auth/deps.ts';
import { createPasswordHasher } from '../auth/passwords.ts';
import { startRevocationBus } from '../auth/revocation-bus.ts';
import { createThrottle } from '../auth/throttle.ts';
import { type Config, ConfigError, type LogLevel, loadConfig } from '../config.ts';
import { openDatabase } from '../db/open-database.ts';
import { createPool } from '../db/pool.ts';
import { createLogger } from '../log.ts';
import { CliError, EXIT_CODES } from './output.ts';

export interface Operator {
  readonly config: Config;
  readonly orm: MikroORM;
  readonly databaseUrl: string;
  /** A plain pool on the database (the throttle's table, the prune lock's look-ups). */
  readonly pool: pg.Pool;
  /** The domain's request object: the operator's security events carry this user agent. */
  readonly req: AuthRequest;
  /** Who is operating, recorded as the actor of the security events the CLI causes. */
  readonly actor: string;
}

/** Recorded as the user agent of the security events the CLI causes, with no IP address. */
export const OPERATOR_USER_AGENT = 'tessera-cli';

/** The OS user running the CLI: who did it, as far as this machine knows. */
function operatingUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown'; // a uid without a passwd entry (some containers)
  }
}

/** The configuration, or a CliError naming the variable (never its value's secrets). */
export function loadOperatorConfig(env: NodeJS.ProcessEnv): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new CliError('BAD_CONFIGURATION', error.message, EXIT_CODES.FAILED);
    }
    throw error;
  }
}

/**
 * Log lines go to stderr, so that stdout holds only the answer. A server's `info` lines (which
 * database it uses) are noise in a command's output: the default level is `warn`, and
 * LOG_LEVEL=debug or trace shows everything.
 */
export function createOperatorLogger(level: LogLevel) {
  return createLogger(level === 'info' ? 'warn' : level, pino.destination({ fd: 2, sync: true }));
}

/** Opens everything a command needs, runs it, and closes it all again, whatever happened. */
export async function withOperator<T>(
  env: NodeJS.ProcessEnv,
  work: (operator: Operator) => Promise<T>,
): Promise<T> {
  const config = loadOperatorConfig(env);
  const logger = createOperatorLogger(config.logLevel);
  // Never migrate on the way in: only `tessera migrate` changes the schema.
  const database = await openDatabase(config, logger, { migrate: false });
  const { orm, databaseUrl } = database;
  const pool = createPool(databaseUrl, (err) =>
    logger.warn({ err }, 'idle database connection lost'),
  );
  try {
    // Reach the database before anything listens on it: one clear failure, not a reconnect loop.
    await pool.query('select 1');
    // No cache and no lease of its own (no instance waits for the CLI), but its revocations
    // are announced to, and waited for on, every instance that holds a lease.
    const revocations = await startRevocationBus({
      databaseUrl,
      pool,
      cacheSize: 0,
      leaseMs: config.tokenCacheLeaseSeconds * 1000,
      onError: (err) => logger.warn({ err }, 'revocation listener lost'),
    });
    try {
      const req: AuthRequest = {
        em: orm.em.fork(),
        deps: {
          clock: systemClock,
          settings: config,
          passwords: createPasswordHasher(),
          throttle: createThrottle({
            pool,
            clock: systemClock,
            maxFailuresPerEmailAndIp: config.loginMaxFailures,
            maxSignUpsPerIp: config.signupMaxPerIp,
          }),
          revocations,
        },
        meta: { ipAddress: null, userAgent: OPERATOR_USER_AGENT },
      };
      return await work({ config, orm, databaseUrl, pool, req, actor: operatingUser() });
    } finally {
      await revocations.stop();
    }
  } finally {
    await pool.end();
    await database.close();
  }
}
