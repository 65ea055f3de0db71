// The operator's metrics (docs/metrics.md): prom-client behind the small sinks the rest of the
// code reports to (src/auth/metrics-sink.ts for the token lifecycle, the HTTP server's
// `RequestMetrics`), plus gauges read at scrape time (database pools, token cache) and Node's
// default metrics (event-loop lag among them). One registry per instance: tests and benchmarks
// run several servers in one process, and each must count only its own.
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { REVOKE_REASONS } from './auth/liveness.ts';
import type { AuthMetrics, TokenCacheLookup } from './auth/metrics-sink.ts';
import type { StartedRevocationBus } from './auth/revocation-bus.ts';
import { ERROR_MESSAGES } from './errors.ts';
import { CLIENT_ERROR_CODES } from './graphql/errors.ts';
import type { RequestSummary } from './graphql/request-summary.ts';
import type { FinishedRequest, RequestMetrics } from './http/server.ts';

const PREFIX = 'tessera_';

/**
 * Every code a response can carry: the contract's, GraphQL's client errors that pass through
 * unmasked, and the HTTP layer's own. A label takes only these (anything else counts as OTHER),
 * so no response can add a series.
 */
const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(ERROR_MESSAGES),
  ...CLIENT_ERROR_CODES,
  'PAYLOAD_TOO_LARGE',
]);

/**
 * From well under a millisecond (a cached token check) to the 5 s statement bound and past it.
 * Seconds, as Prometheus wants base units.
 */
const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * The `operation` label of a GraphQL request: its one root field (`login`, `me`, …), since
 * those are the schema's and so a closed set; `multiple` for several, `introspection` for
 * `__schema`/`__type`/`__typename`, `none` when no operation was resolved (a document that does
 * not parse or validate, a bad request). The client's own operation name goes to the log line
 * only: any client could mint a new one per request.
 */
export function operationLabel(summary: RequestSummary): string {
  const fields = summary.rootFields ?? [];
  if (fields.length === 0) return 'none';
  if (fields.every((field) => field.startsWith('__'))) return 'introspection';
  const named = fields.filter((field) => !field.startsWith('__'));
  return named.length === 1 ? (named[0] as string) : 'multiple';
}

/** The database pools to watch: name → the pool (a function, as the ORM builds its own lazily). */
export type WatchedPools = Record<string, () => pg.Pool | Promise<pg.Pool>>;

export interface TesseraMetrics {
  /** For AuthDeps.metrics and the revocation bus. */
  readonly auth: AuthMetrics;
  /** For the HTTP server's `metrics` option. */
  readonly requests: RequestMetrics;
  /** The database pools' connections in use, idle and waited for, read at each scrape. */
  watchPools(pools: WatchedPools): void;
  /** The token cache's size and whether it may serve, read at each scrape. */
  watchTokenCache(bus: Pick<StartedRevocationBus, 'cacheState'>): void;
  /** The exposition: what GET /metrics answers. */
  render(): Promise<{ contentType: string; body: string }>;
}

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  label: L,
  values: readonly string[],
  /** Called whenever the counter is read, before its values are (prom-client's `collect`). */
  collect?: () => void,
): Counter<L> {
  const metric = new Counter({
    name: PREFIX + name,
    help,
    labelNames: [label],
    registers: [registry],
    ...(collect && { collect }),
  });
  // Every known series from the start, at 0: a rate over a series that appears only with its
  // first event misses that event, and dashboards would show "no data" for "none".
  for (const value of values) metric.labels({ [label]: value } as Record<L, string>).inc(0);
  return metric;
}

export function createMetrics(): TesseraMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const logins = counter(
    registry,
    'logins_total',
    'Logins, by outcome: success, or the contract code it was refused with (lower-case).',
    'outcome',
    ['success', 'invalid_credentials', 'rate_limited', 'account_disabled'],
  );
  const refreshes = counter(
    registry,
    'refreshes_total',
    'refreshToken calls, by outcome: success (a new or the retried pair), invalid, expired, revoked, reused, error.',
    'outcome',
    ['success', 'invalid', 'expired', 'revoked', 'reused', 'error'],
  );
  const reuse = counter(
    registry,
    'refresh_token_reuse_total',
    'Spent refresh tokens presented again: retry_answered (same successor, within the window), retry_refused (successor spent too), session_revoked (after the window).',
    'outcome',
    ['retry_answered', 'retry_refused', 'session_revoked'],
  );
  const revoked = counter(
    registry,
    'sessions_revoked_total',
    'Live sessions revoked, by reason (the revoked_reason of the session, lower-case: logout, password_changed, account_disabled, …).',
    'reason',
    Object.values(REVOKE_REASONS).map((reason) => reason.toLowerCase()),
  );
  const rateLimited = counter(
    registry,
    'rate_limited_total',
    'Attempts refused by a limit: password_email_network, password_network, signup_network.',
    'limit',
    ['password_email_network', 'password_network', 'signup_network'],
  );
  // Every authenticated request counts one lookup: a plain tally here, added to the counter
  // whenever it is read, so the hot path does not pay for prom-client hashing a label set.
  const lookupTally: Record<TokenCacheLookup, number> = { hit: 0, miss: 0, bypass: 0 };
  const cacheLookups: Counter<'result'> = counter(
    registry,
    'token_cache_lookups_total',
    'Access-token checks by what the in-process cache gave: hit, miss (asked the database), bypass (the cache may not serve: no lease, or TOKEN_CACHE_SIZE=0).',
    'result',
    ['hit', 'miss', 'bypass'],
    () => {
      for (const result of Object.keys(lookupTally) as TokenCacheLookup[]) {
        if (lookupTally[result] === 0) continue;
        cacheLookups.inc({ result }, lookupTally[result]);
        lookupTally[result] = 0;
      }
    },
  );
  const cacheInvalidations = counter(
    registry,
    'token_cache_invalidations_total',
    'Revocations applied to the token cache: sessions, users (every session of them), all (emptied when its listener (re)connected).',
    'scope',
    ['sessions', 'users', 'all'],
  );
  const errors = counter(
    registry,
    'errors_total',
    'Errors answered, by extensions.code (one per error in a response).',
    'code',
    [...KNOWN_ERROR_CODES],
  );
  const duration = new Histogram({
    name: `${PREFIX}graphql_request_duration_seconds`,
    help: 'GraphQL requests from arrival to the last byte of the answer, by operation (its root field, see docs/metrics.md) and type.',
    labelNames: ['operation', 'type'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  const auth: AuthMetrics = {
    login: (outcome) => logins.inc({ outcome }),
    refresh: (outcome) => refreshes.inc({ outcome }),
    refreshTokenReuse: (outcome) => reuse.inc({ outcome }),
    sessionsRevoked: (reason, count) => revoked.inc({ reason: reason.toLowerCase() }, count),
    rateLimited: (limit) => rateLimited.inc({ limit }),
    tokenCacheLookup: (result) => {
      lookupTally[result] += 1;
    },
    tokenCacheInvalidated: (scope) => cacheInvalidations.inc({ scope }),
  };

  const requests: RequestMetrics = {
    requestFinished({ graphql, summary, seconds }: FinishedRequest) {
      for (const code of summary.errorCodes ?? []) {
        errors.inc({ code: KNOWN_ERROR_CODES.has(code) ? code : 'OTHER' });
      }
      if (graphql) {
        duration.observe(
          { operation: operationLabel(summary), type: summary.operationType ?? 'none' },
          seconds,
        );
      }
    },
  };

  return {
    auth,
    requests,
    watchPools(pools) {
      const entries = Object.entries(pools);
      const read = async () =>
        Promise.all(
          entries.map(async ([name, pool]) => {
            try {
              return { name, pool: await pool() };
            } catch {
              return { name, pool: undefined }; // not built (database down): nothing to tell
            }
          }),
        );
      new Gauge({
        name: `${PREFIX}db_pool_connections`,
        help: 'Connections of a database pool, by state: in_use (checked out) or idle.',
        labelNames: ['pool', 'state'],
        registers: [registry],
        async collect() {
          for (const { name, pool } of await read()) {
            if (!pool) continue;
            this.set({ pool: name, state: 'in_use' }, pool.totalCount - pool.idleCount);
            this.set({ pool: name, state: 'idle' }, pool.idleCount);
          }
        },
      });
      new Gauge({
        name: `${PREFIX}db_pool_waiting`,
        help: 'Queries waiting for a connection of a database pool (all of them in use).',
        labelNames: ['pool'],
        registers: [registry],
        async collect() {
          for (const { name, pool } of await read()) {
            if (pool) this.set({ pool: name }, pool.waitingCount);
          }
        },
      });
      new Gauge({
        name: `${PREFIX}db_pool_max_connections`,
        help: 'The most connections a database pool opens.',
        labelNames: ['pool'],
        registers: [registry],
        async collect() {
          for (const { name, pool } of await read()) {
            if (pool) this.set({ pool: name }, pool.options.max ?? 10);
          }
        },
      });
    },
    watchTokenCache(bus) {
      new Gauge({
        name: `${PREFIX}token_cache_entries`,
        help: 'Access-token checks held in the in-process cache.',
        registers: [registry],
        collect() {
          this.set(bus.cacheState()?.entries ?? 0);
        },
      });
      new Gauge({
        name: `${PREFIX}token_cache_serving`,
        help: '1 while the token cache may answer checks (its lease is live), else 0.',
        registers: [registry],
        collect() {
          this.set(bus.cacheState()?.serving ? 1 : 0);
        },
      });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
