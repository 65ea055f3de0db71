// Builds the production server for a test or a benchmark, swapping only the database, the
// clock, the argon2 cost and the limits, and talks to it over real HTTP. No vitest here, so
// bench/ can use it too; test/integration/harness.ts adds the run's database.
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Clock } from '../src/auth/clock.ts';
import type { AuthDeps } from '../src/auth/deps.ts';
import { createPasswordHasher, type PasswordHasher } from '../src/auth/passwords.ts';
import {
  noRevocationBus,
  type StartedRevocationBus,
  startRevocationBus,
} from '../src/auth/revocation-bus.ts';
import type { TokenSettings } from '../src/auth/settings.ts';
import { createThrottle } from '../src/auth/throttle.ts';
import type { SameSite } from '../src/config.ts';
import { createOrmOptions } from '../src/db/orm-options.ts';
import { createPool, type DatabaseTimeouts } from '../src/db/pool.ts';
import { createContextFactory } from '../src/graphql/context.ts';
import { createMetricsServer } from '../src/http/metrics-server.ts';
import { createTesseraServer } from '../src/http/server.ts';
import { createLogger } from '../src/log.ts';
import { createMetrics } from '../src/metrics.ts';

export class TestClock implements Clock {
  private current = Date.now();
  now(): Date {
    return new Date(this.current);
  }
  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
}

export const DEFAULT_SETTINGS: TokenSettings = {
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 1_209_600,
  sessionTtlSeconds: 2_592_000,
  refreshReuseGraceSeconds: 10,
  freshAuthSeconds: 600,
};

// Cheap argon2 for speed; one test in passwords.test.ts keeps the real parameters.
export const cheapPasswords = createPasswordHasher({ memoryCost: 1024, timeCost: 1 });

export interface GraphQLResult {
  status: number;
  headers: Headers;
  data: Record<string, any> | null | undefined;
  errors: Array<{ message: string; path?: string[]; extensions: Record<string, any> }> | undefined;
}

export interface TestApp {
  url: string;
  /** Where this app's own registry is served (as METRICS_PORT would): `${metricsUrl}/metrics`. */
  metricsUrl: string;
  clock: TestClock;
  orm: MikroORM;
  /** Every SQL statement the ORM has sent, in order. */
  queries: string[];
  /** The token cache's coherence, unless the app was started without a cache. */
  revocations: StartedRevocationBus | undefined;
  /** What this instance hands the domain, for calling domain functions as an operator would. */
  auth: AuthDeps;
  gql(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
    headers?: Record<string, string>,
  ): Promise<GraphQLResult>;
  close(): Promise<void>;
}

export interface AppOptions {
  settings?: Partial<TokenSettings>;
  clock?: TestClock;
  production?: boolean;
  databaseUrl: string;
  /** Both pools' connect and query bounds (default: production's). */
  databaseTimeouts?: DatabaseTimeouts;
  loginMaxFailures?: number;
  ipMaxFailures?: number;
  signupMaxPerIp?: number;
  trustProxy?: boolean;
  /** CORS_ORIGINS as loadConfig returns it (default: none). */
  corsOrigins?: readonly string[];
  refreshCookieSameSite?: SameSite;
  passwords?: PasswordHasher;
  logger?: Logger;
  /** The token cache: on by default (as in production), with a short lease; `false` turns it off. */
  tokenCache?: { size?: number; leaseMs?: number; listenerUrl?: string } | false;
}

export async function startApp(options: AppOptions): Promise<TestApp> {
  const clock = options.clock ?? new TestClock();
  const queries: string[] = [];
  const { databaseUrl } = options;
  // Always on, as in production with METRICS_PORT set, so the tests and benchmarks pay for it.
  const metrics = createMetrics();
  const pool = createPool(databaseUrl, () => {}, options.databaseTimeouts);
  const throttle = createThrottle({
    pool,
    clock,
    maxFailuresPerEmailAndIp: options.loginMaxFailures ?? 1000,
    // Every test comes from 127.0.0.1: shared per-IP counts would couple them.
    maxFailuresPerIp: options.ipMaxFailures ?? 100_000,
    maxSignUpsPerIp: options.signupMaxPerIp ?? 1_000_000,
  });
  const revocations =
    options.tokenCache === false
      ? undefined
      : await startRevocationBus({
          databaseUrl: options.tokenCache?.listenerUrl ?? databaseUrl,
          pool,
          cacheSize: options.tokenCache?.size ?? 10_000,
          leaseMs: options.tokenCache?.leaseMs ?? 1000,
          onError: () => {},
          metrics: metrics.auth,
        });
  const orm = await MikroORM.init(
    createOrmOptions({
      clientUrl: databaseUrl,
      onQuery: (sql) => queries.push(sql),
      poolMax: 5,
      ...(options.databaseTimeouts && { timeouts: options.databaseTimeouts }),
    }),
  );
  metrics.watchPools({
    orm: () => orm.em.fork().getConnection().getNativeClient(),
    throttle: () => pool,
  });
  if (revocations) metrics.watchTokenCache(revocations);
  const auth: AuthDeps = {
    clock,
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    passwords: options.passwords ?? cheapPasswords,
    throttle,
    revocations: revocations ?? noRevocationBus,
    metrics: metrics.auth,
  };
  const server = createTesseraServer({
    orm,
    createContext: createContextFactory({ orm, auth }),
    production: options.production ?? false,
    trustProxy: options.trustProxy ?? false,
    logger: options.logger ?? createLogger('silent'),
    corsOrigins: options.corsOrigins ?? [],
    refreshCookieSameSite: options.refreshCookieSameSite ?? 'Strict',
    metrics: metrics.requests,
  });
  const port = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const metricsServer = createMetricsServer({
    render: metrics.render,
    logger: options.logger ?? createLogger('silent'),
  });
  const metricsPort = await metricsServer.listen(0, '127.0.0.1');
  return {
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    clock,
    orm,
    queries,
    revocations,
    auth,
    async gql(query, variables, token, headers = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token != null && { authorization: `Bearer ${token}` }),
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Pick<GraphQLResult, 'data' | 'errors'>;
      return {
        status: response.status,
        headers: response.headers,
        data: body.data,
        errors: body.errors,
      };
    },
    async close() {
      await server.close();
      await metricsServer.close();
      await revocations?.stop();
      await orm.close();
      await pool.end();
    },
  };
}

let counter = 0;
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}.${process.pid}.${Date.now()}.${counter}@example.com`;
}

export const PASSWORD = 'correct horse battery staple';

export const AUTH_FIELDS = `
  tokenType accessToken accessTokenExpiresAt expiresIn refreshToken refreshTokenExpiresAt
  user { id email createdAt }
  session { id createdAt lastUsedAt expiresAt userAgent ipAddress current }
`;

export interface Auth {
  tokenType: string;
  accessToken: string;
  accessTokenExpiresAt: string;
  expiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: { id: string; email: string; createdAt: string };
  session: {
    id: string;
    createdAt: string;
    lastUsedAt: string;
    expiresAt: string;
    current: boolean;
  };
}

/** Runs a mutation that must succeed and returns its field. */
export async function must<T = any>(
  app: TestApp,
  query: string,
  variables?: Record<string, unknown>,
  token?: string | null,
): Promise<T> {
  const result = await app.gql(query, variables, token);
  if (result.errors) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return Object.values(result.data ?? {})[0] as T;
}

export function signUp(app: TestApp, email = uniqueEmail(), password = PASSWORD): Promise<Auth> {
  return must(
    app,
    `mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { ${AUTH_FIELDS} } }`,
    { e: email, p: password },
  );
}

export function login(app: TestApp, email: string, password = PASSWORD) {
  return app.gql(
    `mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { ${AUTH_FIELDS} } }`,
    { e: email, p: password },
  );
}

export function refresh(app: TestApp, refreshToken: string, accessToken?: string | null) {
  return app.gql(
    `mutation($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`,
    { t: refreshToken },
    accessToken,
  );
}

export function me(app: TestApp, accessToken: string | null) {
  return app.gql('{ me { id email } }', {}, accessToken);
}

/** The first error's code and, when present, reason. */
export function errorOf(result: GraphQLResult): { code?: string; reason?: string; field?: string } {
  const ext = result.errors?.[0]?.extensions ?? {};
  return {
    code: ext.code,
    ...(ext.reason && { reason: ext.reason }),
    ...(ext.field && { field: ext.field }),
  };
}
