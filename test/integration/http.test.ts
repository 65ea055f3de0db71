import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { createOrmOptions } from '../../src/db/orm-options.ts';
import { MAX_BODY_BYTES } from '../../src/http/server.ts';
import {
  errorOf,
  PASSWORD,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
  useTestApp,
} from './harness.ts';
import { startTcpProxy } from './tcp-proxy.ts';

const app = useTestApp();

describe('HTTP', () => {
  it('answers /healthz and /readyz with 200 while the database answers', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('answers /readyz with 503 while the database cannot be reached, and 200 once it is back', async () => {
    const proxy = await startTcpProxy(inject('databaseUrl'));
    const cut = await startTestApp({ databaseUrl: proxy.url });
    try {
      expect((await fetch(`${cut.url}/readyz`)).status).toBe(200);
      proxy.cut();
      expect((await fetch(`${cut.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${cut.url}/healthz`)).status).toBe(200);
      proxy.restore();
      expect((await fetch(`${cut.url}/readyz`)).status).toBe(200);
    } finally {
      await cut.close();
      await proxy.close();
    }
  });

  it('refuses a body over the limit with 413 before reading it all', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(MAX_BODY_BYTES)}` }),
    });
    expect(response.status).toBe(413);
  });

  it('refuses a body that is not JSON with 400 and a code', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
  });

  it('answers another method on /graphql with 405 and Allow: GET, POST, even a plain PUT', async () => {
    // `curl -X PUT` sends no content-type: Apollo's CSRF check alone would answer 400.
    const attempts: RequestInit[] = [
      { method: 'PUT' },
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      },
      { method: 'DELETE' },
      { method: 'PATCH', headers: { 'content-type': 'text/plain' }, body: 'x' },
    ];
    for (const init of attempts) {
      const response = await fetch(`${app.url}/graphql`, init);
      expect([init.method, response.status, response.headers.get('allow')]).toEqual([
        init.method,
        405,
        'GET, POST',
      ]);
      const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${app.url}/nope`)).status).toBe(404);
  });

  it('shows the Apollo Sandbox landing page and allows introspection outside production', async () => {
    const page = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/sandbox/i);
    const result = await app.gql('{ __schema { queryType { name } } }');
    expect(result.data?.__schema.queryType.name).toBe('Query');
  });

  it('tells every cache not to keep a GraphQL response: tokens, the caller, errors', async () => {
    const post = (query: string, token?: string) =>
      fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({ query }),
      });
    const email = uniqueEmail();
    const signedUp = await post(
      `mutation { signUp(email: "${email}", password: "${PASSWORD}") { accessToken } }`,
    );
    const { accessToken } = (
      (await signedUp.json()) as { data: { signUp: { accessToken: string } } }
    ).data.signUp;
    const responses = [
      signedUp,
      await post('{ me { id email } }', accessToken),
      await post('{ me { id } }'), // UNAUTHENTICATED
      await post('{ __typename }'),
      await post('{ nope }'), // a validation error, answered 400
    ];
    for (const response of responses)
      expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('runs queries sent with GET, as Apollo Server does', async () => {
    const auth = await signUp(app);
    const response = await fetch(
      `${app.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`,
      {
        headers: {
          authorization: `Bearer ${auth.accessToken}`,
          'apollo-require-preflight': 'true',
        },
      },
    );
    expect(((await response.json()) as { data: { me: { id: string } } }).data.me.id).toBe(
      auth.user.id,
    );
  });
});

describe('in production', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await startTestApp({ production: true });
  });
  afterAll(() => prod.close());

  it('has no landing page, no introspection and no field suggestions', async () => {
    const page = await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/sandbox/i);
    const introspection = await prod.gql('{ __schema { queryType { name } } }');
    expect(introspection.data?.__schema).toBeUndefined();
    expect(introspection.errors?.length).toBeGreaterThan(0);
    const typo = await prod.gql('{ mee { id } }');
    expect(typo.errors?.[0]?.message).not.toMatch(/did you mean/i);
    const devTypo = await app.gql('{ mee { id } }');
    expect(devTypo.errors?.[0]?.message).toMatch(/did you mean/i);
  });

  it('still serves the API', async () => {
    const auth = await signUp(prod);
    expect(errorOf(await prod.gql('{ me { id } }', {}, 'tsa_x'))).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'MALFORMED',
    });
    expect((await prod.gql('{ me { id } }', {}, auth.accessToken)).data?.me.id).toBe(auth.user.id);
  });
});

describe('migrations', () => {
  it('are safe when several instances start at once', async () => {
    const url = inject('databaseUrl');
    const orms = await Promise.all(
      [1, 2, 3].map(() => MikroORM.init(createOrmOptions({ clientUrl: url }))),
    );
    try {
      const applied = await Promise.all(orms.map((orm) => migrateDatabase(orm, url)));
      expect(applied).toEqual([[], [], []]); // the run's setup applied them; nobody re-applies
    } finally {
      await Promise.all(orms.map((orm) => orm.close()));
    }
  });
});
