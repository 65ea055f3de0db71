// The Apollo Client link and the urql exchange: each does authenticated queries, with a refresh
// due by the clock and one after the server refused an expired token.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { Client, fetchExchange } from '@urql/core';
import { describe, expect, test } from 'vitest';
import { createTesseraLink } from '../../client/src/apollo.ts';
import { MeDocument } from '../../client/src/index.ts';
import { tesseraAuthExchange } from '../../client/src/urql.ts';
import { ACCESS_TTL_SECONDS, signedInClient, useClientTestApp } from './harness.ts';

const env = useClientTestApp();

const since = (from: number) => env.proxy.operations.slice(from).map((operation) => operation.name);

describe('Apollo Client link', () => {
  test('authenticated queries refresh by themselves: before expiry, and after a refusal', async () => {
    let clientNow = env.app.clock.now().getTime();
    const { tessera, email, signedOut } = await signedInClient(env, { now: () => clientNow });
    const apollo = new ApolloClient({
      link: ApolloLink.from([
        createTesseraLink(tessera),
        new HttpLink({ uri: `${env.proxy.url}/graphql` }),
      ]),
      cache: new InMemoryCache(),
      defaultOptions: { query: { fetchPolicy: 'network-only' } },
    });
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
});

describe('urql authExchange', () => {
  test('authenticated queries refresh by themselves: before expiry, and after a refusal', async () => {
    let clientNow = env.app.clock.now().getTime();
    const { tessera, email, signedOut } = await signedInClient(env, { now: () => clientNow });
    const urql = new Client({
      url: `${env.proxy.url}/graphql`,
      exchanges: [tesseraAuthExchange(tessera), fetchExchange],
      requestPolicy: 'network-only',
    });
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

  test('a session revoked elsewhere ends in the error after one refresh, not in a loop (urql#3112)', async () => {
    const { tessera, signedOut } = await signedInClient(env);
    const urql = new Client({
      url: `${env.proxy.url}/graphql`,
      exchanges: [tesseraAuthExchange(tessera), fetchExchange],
      requestPolicy: 'network-only',
    });
    const stored = await tessera.tokens.session();
    await env.app.gql('mutation { logout }', {}, stored?.accessToken);
    const from = env.proxy.operations.length;
    const result = await urql.query(MeDocument, {}).toPromise();
    expect(result.error?.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(since(from)).toEqual(['Me', 'RefreshToken', 'Me']);
    expect(signedOut).toEqual([{ reason: 'REVOKED' }]);
  });
});
