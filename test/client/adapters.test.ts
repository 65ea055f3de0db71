// The Apollo Client link and the urql exchange: each does authenticated queries, with a refresh
// due by the clock and one after the server refused an expired token; the sessions that
// operations sent through them start or end are the client's too; and they use the cookie
// transport when the client does.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { Client, fetchExchange } from '@urql/core';
import { describe, expect, test } from 'vitest';
import { createTesseraLink } from '../../client/src/apollo.ts';
import type { TesseraClient } from '../../client/src/client.ts';
import {
  ChangePasswordDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
} from '../../client/src/index.ts';
import { tesseraAuthExchange } from '../../client/src/urql.ts';
import {
  ACCESS_TTL_SECONDS,
  clientFor,
  PASSWORD,
  signedInClient,
  uniqueEmail,
  useClientTestApp,
} from './harness.ts';

const env = useClientTestApp();

const since = (from: number) => env.proxy.operations.slice(from).map((operation) => operation.name);

const NEW_PASSWORD = 'a new password, long enough';

/** A fetch for the adapter's own HTTP layer that records each request's `credentials`. */
function credentialsRecordingFetch() {
  const credentials: Array<RequestCredentials | undefined> = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    credentials.push(init?.credentials);
    return globalThis.fetch(input, init);
  };
  return { fetch, credentials };
}

/** An account that exists on the server, with no client signed in to it yet. */
async function existingAccount(): Promise<string> {
  const email = uniqueEmail('adapter');
  await env.app.gql(
    'mutation ($email: EmailAddress!, $password: String!) { signUp(email: $email, password: $password) { accessToken } }',
    { email, password: PASSWORD },
  );
  return email;
}

function apolloClientFor(tessera: TesseraClient, fetch?: typeof globalThis.fetch) {
  return new ApolloClient({
    link: ApolloLink.from([
      createTesseraLink(tessera),
      new HttpLink({ uri: `${env.proxy.url}/graphql`, ...(fetch && { fetch }) }),
    ]),
    cache: new InMemoryCache(),
    defaultOptions: { query: { fetchPolicy: 'network-only' } },
  });
}

function urqlClientFor(tessera: TesseraClient, fetch?: typeof globalThis.fetch) {
  return new Client({
    url: `${env.proxy.url}/graphql`,
    exchanges: [tesseraAuthExchange(tessera), fetchExchange],
    requestPolicy: 'network-only',
    ...(fetch && { fetch }),
  });
}

describe('Apollo Client link', () => {
  test('authenticated queries refresh by themselves: before expiry, and after a refusal', async () => {
    let clientNow = env.app.clock.now().getTime();
    const { tessera, email, signedOut } = await signedInClient(env, { now: () => clientNow });
    const apollo = apolloClientFor(tessera);
    // Due by the client's clock: refreshed before the query is sent.
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    clientNow += (ACCESS_TTL_SECONDS + 1) * 1000;
    let from = env.proxy.operations.length;
    expect((await apollo.query({ query: MeDocument })).data?.me.email).toBe(email);
    expect(since(from)).toEqual(['RefreshToken', 'Me']);
    // Expired by the server's clock only: refused, refreshed, retried once.
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    from = env.proxy.operations.length;
    expect((await apollo.query({ query: MeDocument })).data?.me.email).toBe(email);
    expect(since(from)).toEqual(['Me', 'RefreshToken', 'Me']);
    expect(signedOut).toEqual([]);
    apollo.stop();
  });

  test('a changePassword sent through the link leaves the client on the new session: the next refresh works', async () => {
    let clientNow = env.app.clock.now().getTime();
    const { tessera, email, signedOut } = await signedInClient(env, { now: () => clientNow });
    const apollo = apolloClientFor(tessera);
    const changed = await apollo.mutate({
      mutation: ChangePasswordDocument,
      variables: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(changed.data?.changePassword.accessToken).toMatch(/^tsa_/);
    // changePassword revoked every session, the one the client signed up with too: the refresh
    // due now must present the new pair's refresh token, or it is refused as REVOKED.
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    clientNow += (ACCESS_TTL_SECONDS + 1) * 1000;
    const from = env.proxy.operations.length;
    expect((await apollo.query({ query: MeDocument })).data?.me.email).toBe(email);
    expect(since(from)).toEqual(['RefreshToken', 'Me']);
    expect(signedOut).toEqual([]);
    apollo.stop();
  });

  test('under the cookie transport the link keeps the refresh token out of the answer, signs in and out', async () => {
    const email = await existingAccount();
    const { tessera, signedOut } = clientFor(env, { refreshTransport: 'cookie' });
    const recorded = credentialsRecordingFetch();
    const apollo = apolloClientFor(tessera, recorded.fetch);
    const login = await apollo.mutate({
      mutation: LoginDocument,
      variables: { email, password: PASSWORD },
    });
    // The server saw the transport header: the refresh token went to a cookie, not Apollo's cache.
    expect(login.data?.login.refreshToken).toBeNull();
    expect(login.data?.login.accessToken).toMatch(/^tsa_/);
    // The client adopted the session the login started.
    expect((await apollo.query({ query: MeDocument })).data?.me.email).toBe(email);
    await apollo.mutate({ mutation: LogoutDocument });
    expect(signedOut).toEqual([{ reason: 'LOGOUT' }]);
    expect(await tessera.tokens.session()).toBeNull();
    expect(recorded.credentials).toEqual(['include', 'include', 'include']);
    apollo.stop();
  });
});

describe('urql authExchange', () => {
  test('authenticated queries refresh by themselves: before expiry, and after a refusal', async () => {
    let clientNow = env.app.clock.now().getTime();
    const { tessera, email, signedOut } = await signedInClient(env, { now: () => clientNow });
    const urql = urqlClientFor(tessera);
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    clientNow += (ACCESS_TTL_SECONDS + 1) * 1000;
    let from = env.proxy.operations.length;
    let result = await urql.query(MeDocument, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.me.email).toBe(email);
    expect(since(from)).toEqual(['RefreshToken', 'Me']);
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    from = env.proxy.operations.length;
    result = await urql.query(MeDocument, {}).toPromise();
    expect(result.data?.me.email).toBe(email);
    expect(since(from)).toEqual(['Me', 'RefreshToken', 'Me']);
    expect(signedOut).toEqual([]);
  });

  test('a changePassword sent through the exchange leaves the client on the new session: the next refresh works', async () => {
    let clientNow = env.app.clock.now().getTime();
    const { tessera, email, signedOut } = await signedInClient(env, { now: () => clientNow });
    const urql = urqlClientFor(tessera);
    const changed = await urql
      .mutation(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
      .toPromise();
    expect(changed.data?.changePassword.accessToken).toMatch(/^tsa_/);
    env.app.clock.advance(ACCESS_TTL_SECONDS + 1);
    clientNow += (ACCESS_TTL_SECONDS + 1) * 1000;
    const from = env.proxy.operations.length;
    const result = await urql.query(MeDocument, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.me.email).toBe(email);
    expect(since(from)).toEqual(['RefreshToken', 'Me']);
    expect(signedOut).toEqual([]);
  });

  test('under the cookie transport the exchange keeps the refresh token out of the answer, signs in and out', async () => {
    const email = await existingAccount();
    const { tessera, signedOut } = clientFor(env, { refreshTransport: 'cookie' });
    const recorded = credentialsRecordingFetch();
    const urql = urqlClientFor(tessera, recorded.fetch);
    const login = await urql.mutation(LoginDocument, { email, password: PASSWORD }).toPromise();
    expect(login.error).toBeUndefined();
    expect(login.data?.login.refreshToken).toBeNull();
    expect(login.data?.login.accessToken).toMatch(/^tsa_/);
    const me = await urql.query(MeDocument, {}).toPromise();
    expect(me.error).toBeUndefined();
    expect(me.data?.me.email).toBe(email);
    expect((await urql.mutation(LogoutDocument, {}).toPromise()).data?.logout).toBe(true);
    expect(signedOut).toEqual([{ reason: 'LOGOUT' }]);
    expect(await tessera.tokens.session()).toBeNull();
    expect(recorded.credentials).toEqual(['include', 'include', 'include']);
  });

  test('a session revoked elsewhere ends in the error after one refresh, not in a loop (urql#3112)', async () => {
    const { tessera, signedOut } = await signedInClient(env);
    const urql = urqlClientFor(tessera);
    const stored = await tessera.tokens.session();
    await env.app.gql('mutation { logout }', {}, stored?.accessToken);
    const from = env.proxy.operations.length;
    const result = await urql.query(MeDocument, {}).toPromise();
    expect(result.error?.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(since(from)).toEqual(['Me', 'RefreshToken', 'Me']);
    expect(signedOut).toEqual([{ reason: 'REVOKED' }]);
  });
});
