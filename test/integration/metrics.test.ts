// GET /metrics after real traffic over real HTTP: each counter moves by exactly what the
// requests did, the duration histogram carries the operation, the pool and cache gauges are
// there; /metrics is never on the API port.
import { expect, it } from 'vitest';
import { disableAccount } from '../../src/users/lifecycle.ts';
import {
  type Auth,
  errorOf,
  login,
  me,
  must,
  PASSWORD,
  refresh,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
  useTestApp,
} from './harness.ts';

/** One scrape: every sample by its name and labels as written (`name{a="b"}`). */
async function scrape(app: TestApp): Promise<Map<string, number>> {
  const response = await fetch(`${app.metricsUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** How much each of `names` moved between two scrapes (absent counts as 0). */
function moved(before: Map<string, number>, after: Map<string, number>, names: string[]) {
  return Object.fromEntries(
    names.map((name) => [name, (after.get(name) ?? 0) - (before.get(name) ?? 0)]),
  );
}

const app = useTestApp({ loginMaxFailures: 2 });

it('counts logins, refreshes, reuse, revocations, limits and errors exactly as they happened', async () => {
  const email = uniqueEmail();
  const locked = uniqueEmail('locked');
  await signUp(app, email);
  await signUp(app, locked);
  const before = await scrape(app);

  const session = (await login(app, email)).data?.login as Auth; // success
  expect(errorOf(await login(app, email, 'wrong password!'))).toEqual({
    code: 'INVALID_CREDENTIALS',
  });
  // Two failures lock (locked, this network); the third attempt is refused before the check.
  await login(app, locked, 'wrong password!');
  await login(app, locked, 'wrong password!');
  expect(errorOf(await login(app, locked)).code).toBe('RATE_LIMITED');

  const rotated = (await refresh(app, session.refreshToken)).data?.refreshToken as Auth;
  expect(rotated.accessToken).toBeTruthy();
  // A retry within the window: the same pair, and reuse answered.
  const retried = (await refresh(app, session.refreshToken)).data?.refreshToken as Auth;
  expect(retried.refreshToken).toBe(rotated.refreshToken);
  expect(errorOf(await refresh(app, 'tsr_not-a-token'))).toEqual({
    code: 'INVALID_REFRESH_TOKEN',
    reason: 'INVALID',
  });
  app.clock.advance(11); // past the retry window: a replay is reuse, and revokes the session
  expect(errorOf(await refresh(app, session.refreshToken))).toEqual({
    code: 'INVALID_REFRESH_TOKEN',
    reason: 'REUSED',
  });

  const other = (await login(app, email)).data?.login as Auth; // success
  await must(app, 'mutation { logout }', {}, other.accessToken);
  expect(errorOf(await me(app, null))).toEqual({ code: 'UNAUTHENTICATED', reason: 'MISSING' });
  expect(errorOf(await app.gql('{ me { id }'))).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });

  const after = await scrape(app);
  expect(
    moved(before, after, [
      'tessera_logins_total{outcome="success"}',
      'tessera_logins_total{outcome="invalid_credentials"}',
      'tessera_logins_total{outcome="rate_limited"}',
      'tessera_rate_limited_total{limit="password_email_network"}',
      'tessera_rate_limited_total{limit="password_network"}',
      'tessera_rate_limited_total{limit="signup_network"}',
      'tessera_refreshes_total{outcome="success"}',
      'tessera_refreshes_total{outcome="invalid"}',
      'tessera_refreshes_total{outcome="reused"}',
      'tessera_refresh_token_reuse_total{outcome="retry_answered"}',
      'tessera_refresh_token_reuse_total{outcome="retry_refused"}',
      'tessera_refresh_token_reuse_total{outcome="session_revoked"}',
      'tessera_sessions_revoked_total{reason="refresh_token_reuse"}',
      'tessera_sessions_revoked_total{reason="logout"}',
      'tessera_sessions_revoked_total{reason="all_sessions_revoked"}',
      'tessera_errors_total{code="INVALID_CREDENTIALS"}',
      'tessera_errors_total{code="RATE_LIMITED"}',
      'tessera_errors_total{code="INVALID_REFRESH_TOKEN"}',
      'tessera_errors_total{code="UNAUTHENTICATED"}',
      'tessera_errors_total{code="GRAPHQL_PARSE_FAILED"}',
      'tessera_errors_total{code="INTERNAL_SERVER_ERROR"}',
      'tessera_graphql_request_duration_seconds_count{operation="login",type="mutation"}',
      'tessera_graphql_request_duration_seconds_count{operation="refreshToken",type="mutation"}',
      'tessera_graphql_request_duration_seconds_count{operation="logout",type="mutation"}',
      'tessera_graphql_request_duration_seconds_count{operation="me",type="query"}',
      'tessera_graphql_request_duration_seconds_count{operation="none",type="none"}',
    ]),
  ).toEqual({
    'tessera_logins_total{outcome="success"}': 2,
    'tessera_logins_total{outcome="invalid_credentials"}': 3,
    'tessera_logins_total{outcome="rate_limited"}': 1,
    'tessera_rate_limited_total{limit="password_email_network"}': 1,
    'tessera_rate_limited_total{limit="password_network"}': 0,
    'tessera_rate_limited_total{limit="signup_network"}': 0,
    'tessera_refreshes_total{outcome="success"}': 2,
    'tessera_refreshes_total{outcome="invalid"}': 1,
    'tessera_refreshes_total{outcome="reused"}': 1,
    'tessera_refresh_token_reuse_total{outcome="retry_answered"}': 1,
    'tessera_refresh_token_reuse_total{outcome="retry_refused"}': 0,
    'tessera_refresh_token_reuse_total{outcome="session_revoked"}': 1,
    'tessera_sessions_revoked_total{reason="refresh_token_reuse"}': 1,
    'tessera_sessions_revoked_total{reason="logout"}': 1,
    'tessera_sessions_revoked_total{reason="all_sessions_revoked"}': 0,
    'tessera_errors_total{code="INVALID_CREDENTIALS"}': 3,
    'tessera_errors_total{code="RATE_LIMITED"}': 1,
    'tessera_errors_total{code="INVALID_REFRESH_TOKEN"}': 2,
    'tessera_errors_total{code="UNAUTHENTICATED"}': 1,
    'tessera_errors_total{code="GRAPHQL_PARSE_FAILED"}': 1,
    'tessera_errors_total{code="INTERNAL_SERVER_ERROR"}': 0,
    'tessera_graphql_request_duration_seconds_count{operation="login",type="mutation"}': 6,
    'tessera_graphql_request_duration_seconds_count{operation="refreshToken",type="mutation"}': 4,
    'tessera_graphql_request_duration_seconds_count{operation="logout",type="mutation"}': 1,
    'tessera_graphql_request_duration_seconds_count{operation="me",type="query"}': 1,
    'tessera_graphql_request_duration_seconds_count{operation="none",type="none"}': 1,
  });
  // Every request is in the histogram's buckets, the slowest bucket holding them all.
  expect(
    after.get(
      'tessera_graphql_request_duration_seconds_bucket{le="+Inf",operation="login",type="mutation"}',
    ),
  ).toBe(
    after.get('tessera_graphql_request_duration_seconds_count{operation="login",type="mutation"}'),
  );
});

it('counts warm access-token checks as cache hits, and a revocation as an invalidation', async () => {
  const auth = await signUp(app);
  // The cache serves only under a live lease; the app renews it every quarter of a second.
  await expect.poll(async () => (await scrape(app)).get('tessera_token_cache_serving')).toBe(1);
  const before = await scrape(app);
  await me(app, auth.accessToken); // cold: the database is asked, the answer cached
  for (let i = 0; i < 3; i++) await me(app, auth.accessToken); // warm
  const warm = (await scrape(app)).get('tessera_token_cache_entries') ?? 0;
  expect(warm).toBeGreaterThan(0);
  await must(
    app,
    `mutation { revokeAllTokens(currentPassword: "${PASSWORD}") { revokedSessionCount } }`,
    {},
    auth.accessToken,
  );
  const after = await scrape(app);
  expect(
    moved(before, after, [
      'tessera_token_cache_lookups_total{result="miss"}',
      'tessera_token_cache_lookups_total{result="hit"}',
      'tessera_token_cache_lookups_total{result="bypass"}',
      'tessera_token_cache_invalidations_total{scope="users"}',
      'tessera_sessions_revoked_total{reason="all_sessions_revoked"}',
    ]),
  ).toEqual({
    'tessera_token_cache_lookups_total{result="miss"}': 1,
    'tessera_token_cache_lookups_total{result="hit"}': 4, // three `me`, and the mutation's check
    'tessera_token_cache_lookups_total{result="bypass"}': 0,
    'tessera_token_cache_invalidations_total{scope="users"}': 1,
    'tessera_sessions_revoked_total{reason="all_sessions_revoked"}': 1,
  });
  expect(after.get('tessera_token_cache_entries')).toBe(warm - 1); // the revoked token's check
});

it('has the pool gauges of both database pools and the event-loop lag', async () => {
  const samples = await scrape(app);
  // The test app's pools: the ORM's (which the hot path uses too) of 5, the throttle's of 4.
  for (const [pool, max] of [
    ['orm', 5],
    ['throttle', 4],
  ] as const) {
    expect(samples.get(`tessera_db_pool_connections{pool="${pool}",state="in_use"}`)).toBe(0);
    expect(
      samples.get(`tessera_db_pool_connections{pool="${pool}",state="idle"}`),
    ).toBeLessThanOrEqual(max);
    expect(samples.get(`tessera_db_pool_waiting{pool="${pool}"}`)).toBe(0);
    expect(samples.get(`tessera_db_pool_max_connections{pool="${pool}"}`)).toBe(max);
  }
  expect(samples.get('tessera_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
});

it('labels a request by its root field, never by the name a client gave it', async () => {
  const before = await scrape(app);
  for (let i = 0; i < 5; i++) {
    await app.gql(`query Random${i}x${Date.now()} { me { id } }`);
  }
  await app.gql('{ me { id } sessions { id } }');
  await app.gql('{ mine: me { id } ... on Query { me { email } } }'); // an alias, a fragment
  await app.gql('query Q { ...F } fragment F on Query { sessions { id } }');
  await app.gql('{ __typename }');
  const after = await scrape(app);
  const operations = new Set(
    [...after.keys()]
      .filter((key) => key.startsWith('tessera_graphql_request_duration_seconds_count'))
      .map((key) => /operation="([^"]*)"/.exec(key)?.[1]),
  );
  expect([...operations].some((operation) => operation?.startsWith('Random'))).toBe(false);
  expect(
    moved(before, after, [
      'tessera_graphql_request_duration_seconds_count{operation="me",type="query"}',
      'tessera_graphql_request_duration_seconds_count{operation="multiple",type="query"}',
      'tessera_graphql_request_duration_seconds_count{operation="sessions",type="query"}',
      'tessera_graphql_request_duration_seconds_count{operation="introspection",type="query"}',
    ]),
  ).toEqual({
    'tessera_graphql_request_duration_seconds_count{operation="me",type="query"}': 6,
    'tessera_graphql_request_duration_seconds_count{operation="multiple",type="query"}': 1,
    'tessera_graphql_request_duration_seconds_count{operation="sessions",type="query"}': 1,
    'tessera_graphql_request_duration_seconds_count{operation="introspection",type="query"}': 1,
  });
});

it('counts a refused sign-up under its own limit, in that instance’s registry only', async () => {
  const strict = await startTestApp({ signupMaxPerIp: 1 });
  try {
    const before = await scrape(app);
    // The limit is shared through the database: earlier sign-ups from 127.0.0.1 count too.
    const answers = await Promise.all(
      [1, 2].map(() =>
        strict.gql(
          'mutation($e: EmailAddress!, $p: String!) { signUp(email: $e, password: $p) { accessToken } }',
          { e: uniqueEmail(), p: PASSWORD },
        ),
      ),
    );
    const refused = answers.filter((a) => errorOf(a).code === 'RATE_LIMITED').length;
    expect(refused).toBeGreaterThanOrEqual(1);
    const own = await scrape(strict);
    expect(own.get('tessera_rate_limited_total{limit="signup_network"}')).toBe(refused);
    expect(own.get('tessera_errors_total{code="RATE_LIMITED"}')).toBe(refused);
    expect(own.get('tessera_rate_limited_total{limit="password_email_network"}')).toBe(0);
    const other = await scrape(app);
    expect(other.get('tessera_rate_limited_total{limit="signup_network"}')).toBe(
      before.get('tessera_rate_limited_total{limit="signup_network"}'),
    );
  } finally {
    await strict.close();
  }
});

it('counts an operator’s disabling as revocations, and the disabled account’s login by its code', async () => {
  const email = uniqueEmail('disabled');
  await signUp(app, email);
  await login(app, email); // a second live session
  const before = await scrape(app);
  const operator = {
    em: app.orm.em.fork(),
    deps: app.auth,
    meta: { ipAddress: null, userAgent: null },
  };
  await disableAccount(operator, { account: { email }, actor: 'ops', reason: 'test' });
  expect(errorOf(await login(app, email)).code).toBe('ACCOUNT_DISABLED'); // the right password
  const after = await scrape(app);
  expect(
    moved(before, after, [
      'tessera_sessions_revoked_total{reason="account_disabled"}',
      'tessera_logins_total{outcome="account_disabled"}',
      'tessera_errors_total{code="ACCOUNT_DISABLED"}',
    ]),
  ).toEqual({
    'tessera_sessions_revoked_total{reason="account_disabled"}': 2,
    'tessera_logins_total{outcome="account_disabled"}': 1,
    'tessera_errors_total{code="ACCOUNT_DISABLED"}': 1,
  });
});

it('serves /metrics only on its own port: the API port answers 404', async () => {
  const api = await fetch(`${app.url}/metrics`);
  expect(api.status).toBe(404);
  expect(await api.text()).not.toContain('tessera_');
  expect((await fetch(`${app.metricsUrl}/graphql`)).status).toBe(404);
  expect((await fetch(`${app.metricsUrl}/metrics`, { method: 'POST' })).status).toBe(405);
});
