// CORS_ORIGINS over real HTTP (contract section 7): listed origins, others, none configured.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { MAX_BODY_BYTES } from '../../src/http/server.ts';
import { signUp, useTestApp } from './harness.ts';

const APP_ORIGIN = 'https://app.example.com';
const LOCAL_ORIGIN = 'http://localhost:5173';
// Through loadConfig, as production reads it: the form the server compares against.
const { corsOrigins } = loadConfig({ CORS_ORIGINS: `${APP_ORIGIN}, http://LOCALHOST:5173` });
const app = useTestApp({ corsOrigins });
const plain = useTestApp();

function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries(
    [...response.headers].filter(([name]) => name.startsWith('access-control-')),
  );
}

function post(base: string, headers: Record<string, string>, body?: string): Promise<Response> {
  return fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body ?? JSON.stringify({ query: '{ me { id } }' }),
  });
}

function preflight(base: string, origin: string): Promise<Response> {
  return fetch(`${base}/graphql`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, x-tessera-refresh-transport',
    },
  });
}

describe('with CORS_ORIGINS', () => {
  it('gives a listed origin its own origin back, with credentials and Vary: Origin', async () => {
    for (const origin of [APP_ORIGIN, LOCAL_ORIGIN]) {
      const response = await post(app.url, { origin });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('vary')).toBe('Origin');
    }
  });

  it('lets a listed origin read WWW-Authenticate and X-Request-Id', async () => {
    const response = await post(app.url, { origin: APP_ORIGIN, authorization: 'Bearer tsa_x' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(response.headers.get('access-control-expose-headers')).toBe(
      'www-authenticate, x-request-id',
    );
  });

  it('answers a listed origin’s preflight 204 with every method and header Tessera accepts', async () => {
    const response = await preflight(app.url, APP_ORIGIN);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('vary')).toBe('Origin');
    const methods = response.headers.get('access-control-allow-methods')?.split(', ');
    expect(methods).toEqual(expect.arrayContaining(['GET', 'POST']));
    const headers = response.headers.get('access-control-allow-headers')?.split(', ');
    expect(headers).toEqual(
      expect.arrayContaining([
        'authorization',
        'content-type',
        'x-tessera-refresh-transport',
        'apollo-require-preflight',
        'x-apollo-operation-name',
      ]),
    );
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
  });

  it('gives other origins no CORS headers, on answers and on preflights', async () => {
    for (const origin of [
      'https://evil.example',
      'https://app.example.com.evil.example',
      'http://app.example.com', // the listed host, but another scheme
      'https://app.example.com:8443', // and another port
      'null',
    ]) {
      const response = await post(app.url, { origin });
      expect(response.status).toBe(200);
      expect(corsHeaders(response)).toEqual({});
      // The answer depends on Origin, so caches are told so even when it is refused.
      expect(response.headers.get('vary')).toBe('Origin');
      const refused = await preflight(app.url, origin);
      expect(refused.status).not.toBe(204);
      expect(corsHeaders(refused)).toEqual({});
    }
    expect(corsHeaders(await post(app.url, {}))).toEqual({});
  });

  it('still serves a request from an unlisted origin or none: CORS only decides what a browser may read', async () => {
    const auth = await signUp(app);
    const response = await post(app.url, {
      origin: 'https://evil.example',
      authorization: `Bearer ${auth.accessToken}`,
    });
    expect(((await response.json()) as any).data.me.id).toBe(auth.user.id);
  });

  it('puts the CORS headers on refusals too, so that the app can read why', async () => {
    const tooLarge = await post(
      app.url,
      { origin: APP_ORIGIN },
      JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(MAX_BODY_BYTES)}` }),
    );
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const badTransport = await post(app.url, {
      origin: APP_ORIGIN,
      'x-tessera-refresh-transport': 'body',
    });
    expect(badTransport.status).toBe(400);
    expect(badTransport.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });
});

describe('without CORS_ORIGINS', () => {
  it('sends no CORS headers and no Vary, whatever the origin (as before)', async () => {
    const response = await post(plain.url, { origin: APP_ORIGIN });
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({});
    expect(response.headers.get('vary')).toBeNull();
    const refused = await preflight(plain.url, APP_ORIGIN);
    expect(refused.status).not.toBe(204);
    expect(corsHeaders(refused)).toEqual({});
  });
});
