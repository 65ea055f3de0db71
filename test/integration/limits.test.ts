import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { errorOf, must, PASSWORD, signUp, uniqueEmail, useTestApp } from './harness.ts';

const app = useTestApp();

async function eventCount(token: string): Promise<number> {
  return (await must(app, '{ securityEvents(first: 100) { id } }', {}, token)).length;
}

describe('one request cannot multiply password checks', () => {
  it('refuses an aliased login ×30 before any password is checked', async () => {
    const auth = await signUp(app);
    const before = await eventCount(auth.accessToken);
    const aliases = Array.from(
      { length: 30 },
      (_, i) => `a${i}: login(email: "${auth.user.email}", password: "guess${i}") { accessToken }`,
    );
    const result = await app.gql(`mutation { ${aliases.join(' ')} }`);
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(errorOf(result).code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await eventCount(auth.accessToken)).toBe(before); // no LOGIN_FAILED was recorded
  });

  it('refuses two password-taking fields in one request, even under the alias limit', async () => {
    const auth = await signUp(app);
    const newcomer = uniqueEmail();
    const result = await app.gql(`mutation {
      a: login(email: "${auth.user.email}", password: "guess one") { accessToken }
      b: signUp(email: "${newcomer}", password: "${PASSWORD}") { accessToken }
    }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/only one operation that takes a password/);
    expect(
      errorOf(
        await app.gql(
          `mutation { login(email: "${newcomer}", password: "${PASSWORD}") { accessToken } }`,
        ),
      ),
    ).toEqual({ code: 'INVALID_CREDENTIALS' });
  });

  it('refuses the same through a fragment', async () => {
    const auth = await signUp(app);
    const result = await app.gql(`
      fragment Twice on Mutation { x: login(email: "${auth.user.email}", password: "guess") { accessToken } }
      mutation { ...Twice y: login(email: "${auth.user.email}", password: "other") { accessToken } }`);
    expect(result.status).toBe(400);
  });

  it('turns batched requests away', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBe(400);
  });
});

describe('query size limits', () => {
  it('refuse too many tokens', async () => {
    const result = await app.gql(`{ ${'__typename '.repeat(1200)} }`);
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
  });

  it('refuse queries nested too deep', async () => {
    const deep = `{ __type(name: "Query") { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } }`;
    const result = await app.gql(deep);
    expect(result.status).toBe(400);
  });

  it('refuse a query that costs too much, counting a page at what the field serves', async () => {
    const { accessToken } = await signUp(app);
    const page = (first: number) =>
      `securityEvents(first: ${first}) { id type occurredAt ipAddress userAgent sessionId }`;
    // One full page costs 1100; two are over the limit of 2000, however large `first` is.
    for (const first of [100, 1000]) {
      const twoPages = await app.gql(`{ a: ${page(first)} b: ${page(first)} }`, {}, accessToken);
      expect([twoPages.status, twoPages.errors?.[0]?.message]).toEqual([
        400,
        expect.stringMatching(/Cost limit of 2000 exceeded, found 2200\b/),
      ]);
    }
    const onePage = await app.gql(`{ ${page(100)} }`, {}, accessToken);
    expect(onePage.errors).toBeUndefined();
  });

  it('still let Apollo Sandbox introspect the schema', async () => {
    const result = await app.gql(getIntrospectionQuery());
    expect(result.errors).toBeUndefined();
    expect(result.data?.__schema.queryType.name).toBe('Query');
  });
});
