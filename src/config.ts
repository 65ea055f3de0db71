// Loads and validates the process configuration (contract section 6).
// This is the only module that reads process.env; everything else gets settings as arguments.

/** The SameSite attributes REFRESH_COOKIE_SAMESITE may name (http/refresh-cookie.ts writes them). */
export const SAME_SITE_VALUES = ['Strict', 'Lax', 'None'] as const;
export type SameSite = (typeof SAME_SITE_VALUES)[number];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly port: number;
  /** Where GET /metrics is served; undefined: nowhere. Never the same as `port`. */
  readonly metricsPort: number | undefined;
  readonly production: boolean;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly sessionTtlSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly freshAuthSeconds: number;
  readonly loginMaxFailures: number;
  readonly signupMaxPerIp: number;
  readonly tokenCacheSize: number;
  readonly tokenCacheLeaseSeconds: number;
  readonly trustProxy: boolean;
  readonly logLevel: LogLevel;
  readonly migrateOnStart: boolean;
  readonly pruneIntervalSeconds: number;
  readonly securityEventRetentionDays: number;
  /** How long a SIGTERM/SIGINT drain may take before the rest is cut off (exit 1). */
  readonly shutdownTimeoutSeconds: number;
  /** Browser origins allowed to call the API with credentials (contract section 7); empty: no CORS. */
  readonly corsOrigins: readonly string[];
  /** The SameSite attribute of the refresh-token cookie. */
  readonly refreshCookieSameSite: SameSite;
}

export class ConfigError extends Error {
  readonly variable: string;
  // No constructor parameter properties anywhere: Node runs these sources by stripping types,
  // which refuses syntax that would need a transform.
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.variable = variable;
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function databaseUrl(env: Env): string | undefined {
  const raw = read(env, 'DATABASE_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Never echo the value: it usually holds a password.
    throw new ConfigError('DATABASE_URL', 'is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL');
  }
  return raw;
}

/**
 * CORS_ORIGINS: comma-separated exact origins, each `scheme://host[:port]` and nothing else. A
 * wildcard or a path is refused rather than guessed at: the list decides which sites may read
 * responses with the user's cookie, so a typo must stop the start, not widen or silently empty it.
 * Entries are kept in the form browsers send in `Origin` (lower-case host, no default port).
 */
function corsOrigins(env: Env, production: boolean): readonly string[] {
  const raw = read(env, 'CORS_ORIGINS');
  if (raw === undefined) return [];
  const origins = raw.split(',').map((item) => {
    const entry = item.trim();
    const problem = originProblem(entry) ?? (production ? plaintextProblem(entry) : undefined);
    if (problem) {
      throw new ConfigError('CORS_ORIGINS', `entry ${JSON.stringify(entry)} ${problem}`);
    }
    return new URL(entry).origin;
  });
  return Object.freeze(origins);
}

/**
 * In production a listed origin must be https (localhost aside, for a local tool): a page served
 * over plain http can be rewritten by anyone on its network, and would then read every
 * credentialed answer the list lets it read.
 */
function plaintextProblem(entry: string): string | undefined {
  const { protocol, hostname } = new URL(entry);
  if (protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(hostname)) {
    return undefined;
  }
  return 'is plain http, which NODE_ENV=production refuses (a network can rewrite such a page)';
}

function originProblem(entry: string): string | undefined {
  const shape = 'must be an origin like https://app.example.com';
  if (entry === '') return `is empty; ${shape}`;
  if (entry.includes('*')) return `is a wildcard; list each origin exactly (${shape})`;
  if (!/^https?:\/\/[^/?#\s@]+$/i.test(entry)) {
    return `${shape}: http or https, a host, an optional port, no path`;
  }
  try {
    new URL(entry);
  } catch {
    return `${shape}: the host or port is not valid`;
  }
  return undefined;
}

function sameSite(env: Env): SameSite {
  const raw = read(env, 'REFRESH_COOKIE_SAMESITE');
  if (raw === undefined) return 'Strict';
  const value = SAME_SITE_VALUES.find((v) => v.toLowerCase() === raw.toLowerCase());
  if (!value) {
    throw new ConfigError(
      'REFRESH_COOKIE_SAMESITE',
      `must be one of ${SAME_SITE_VALUES.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

const DAY = 86_400;
const TEN_YEARS = 3650 * DAY;

export function loadConfig(env: Env): Config {
  const production = read(env, 'NODE_ENV') === 'production';
  const dbUrl = databaseUrl(env);
  if (production && dbUrl === undefined) {
    throw new ConfigError(
      'DATABASE_URL',
      'is required when NODE_ENV=production (the embedded database is for development only)',
    );
  }
  const logLevel = (read(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(
      'LOG_LEVEL',
      `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`,
    );
  }

  const accessTokenTtlSeconds = integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 1, DAY);
  const refreshTokenTtlSeconds = integer(
    env,
    'REFRESH_TOKEN_TTL_SECONDS',
    1_209_600,
    60,
    TEN_YEARS,
  );
  const sessionTtlSeconds = integer(env, 'SESSION_TTL_SECONDS', 2_592_000, 60, TEN_YEARS);
  // Each lifetime is bounded by the next: an access token outliving its session's idle end
  // would keep working after the session no longer counts as live (sessions, revocation
  // counts), and a refresh token outliving the absolute end could never be used that long.
  if (accessTokenTtlSeconds > refreshTokenTtlSeconds) {
    throw new ConfigError(
      'ACCESS_TOKEN_TTL_SECONDS',
      `(${accessTokenTtlSeconds}) must not exceed REFRESH_TOKEN_TTL_SECONDS (${refreshTokenTtlSeconds})`,
    );
  }
  if (refreshTokenTtlSeconds > sessionTtlSeconds) {
    throw new ConfigError(
      'REFRESH_TOKEN_TTL_SECONDS',
      `(${refreshTokenTtlSeconds}) must not exceed SESSION_TTL_SECONDS (${sessionTtlSeconds})`,
    );
  }
  const port = integer(env, 'PORT', 4000, 0, 65_535);
  const metricsPort =
    read(env, 'METRICS_PORT') === undefined
      ? undefined
      : integer(env, 'METRICS_PORT', 0, 0, 65_535);
  // The metrics tell how the service is used and loaded; they belong on a port of their own
  // that only the scraper reaches, never on the public one (0 picks a free port for each).
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError(
      'METRICS_PORT',
      `must differ from PORT (${port}): /metrics is never served on the API port`,
    );
  }
  const config: Config = {
    databaseUrl: dbUrl,
    dataDir: read(env, 'DATA_DIR') ?? './.data',
    port,
    metricsPort,
    production,
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    sessionTtlSeconds,
    refreshReuseGraceSeconds: integer(env, 'REFRESH_REUSE_GRACE_SECONDS', 10, 0, 300),
    freshAuthSeconds: integer(env, 'FRESH_AUTH_SECONDS', 600, 0, DAY),
    loginMaxFailures: integer(env, 'LOGIN_MAX_FAILURES', 10, 1, 1_000_000),
    signupMaxPerIp: integer(env, 'SIGNUP_MAX_PER_IP', 20, 1, 1_000_000),
    tokenCacheSize: integer(env, 'TOKEN_CACHE_SIZE', 100_000, 0, 10_000_000),
    tokenCacheLeaseSeconds: integer(env, 'TOKEN_CACHE_LEASE_SECONDS', 5, 1, 60),
    trustProxy: flag(env, 'TRUST_PROXY', false),
    logLevel: logLevel as LogLevel,
    migrateOnStart: flag(env, 'MIGRATE_ON_START', true),
    pruneIntervalSeconds: integer(env, 'PRUNE_INTERVAL_SECONDS', 3600, 0, 7 * DAY),
    securityEventRetentionDays: integer(env, 'SECURITY_EVENT_RETENTION_DAYS', 365, 1, 36_500),
    shutdownTimeoutSeconds: integer(env, 'SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 300),
    corsOrigins: corsOrigins(env, production),
    refreshCookieSameSite: sameSite(env),
  };
  return Object.freeze(config);
}
