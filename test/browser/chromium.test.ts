// A real headless Chromium: two tabs of one small page share one session through the client's
// defaults in a browser (the cookie transport, localStorage, Web Locks); and the Sandbox landing
// page comes from our server.
import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  PASSWORD,
  startTestApp,
  type TestApp,
  TestClock,
  uniqueEmail,
} from '../integration/harness.ts';
import { type HttpProxy, startHttpProxy } from '../integration/http-proxy.ts';
import { listenInFrontOf } from '../integration/tcp-proxy.ts';
import { bundleClientForBrowser, launchChromium } from './chromium.ts';

/**
 * Short enough to expire while the test waits (the browser's clock is the real one), long
 * enough that a token just refreshed is not due again (after 4 s) before a loaded machine has
 * run the next few operations.
 */
const ACCESS_TTL_SECONDS = 5;

/** The server on the wall clock, as the page's Date.now() is. */
class WallClock extends TestClock {
  override now(): Date {
    return new Date();
  }
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>Tessera, two tabs</title>
<script type="module">
  import { createTesseraClient, MeDocument } from '/tessera-client.js';
  // The defaults a web app gets: the cookie transport, localStorage, Web Locks.
  const params = new URLSearchParams(location.search);
  const tessera = createTesseraClient({
    url: params.get('api'),
    ...(params.has('lockTimeoutMs') && { lockTimeoutMs: Number(params.get('lockTimeoutMs')) }),
  });
  window.signedOut = [];
  tessera.onSignedOut((event) => window.signedOut.push(event.reason));
  window.app = {
    signUp: async (email, password) => (await tessera.signUp({ email, password })).refreshToken,
    me: async () => (await tessera.request(MeDocument)).me.email,
    meOrCode: () => tessera.request(MeDocument).then((data) => data.me.email, (error) => error.code),
    logout: () => tessera.logout(),
  };
</script>`;

let pageServer: Server;
let pageOrigin: string;
let app: TestApp;
let proxy: HttpProxy;
let browser: Browser;

beforeAll(async () => {
  const bundle = await bundleClientForBrowser();
  pageServer = createServer((req, res) => {
    const script = req.url === '/tessera-client.js';
    res.writeHead(200, { 'content-type': script ? 'text/javascript' : 'text/html' });
    res.end(script ? bundle : PAGE);
  });
  pageOrigin = new URL(await listenInFrontOf(pageServer, 'http://127.0.0.1/')).origin;
  // The page and the API are different origins (other ports): CORS must let the page in.
  app = await startTestApp({
    clock: new WallClock(),
    settings: { accessTokenTtlSeconds: ACCESS_TTL_SECONDS },
    corsOrigins: [pageOrigin],
  });
  proxy = await startHttpProxy(app.url);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await app?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
});

async function openTab(context: BrowserContext, query = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${pageOrigin}/?api=${encodeURIComponent(`${proxy.url}/graphql`)}${query}`);
  await page.waitForFunction(() => 'app' in window);
  return page;
}

/** A browser profile whose first tab has signed up; resolves with what signUp gave the page. */
async function signedUpTab(label: string) {
  const context = await browser.newContext();
  const first = await openTab(context);
  const email = uniqueEmail(label);
  const refreshToken = await first.evaluate(
    ([e, p]) => (window as any).app.signUp(e, p),
    [email, PASSWORD],
  );
  return { context, first, email, refreshToken };
}

describe('two tabs in headless Chromium', () => {
  test('share one session: the access token expires, both keep working, one refresh, nobody signed out', async () => {
    const { context, first, email, refreshToken } = await signedUpTab('tabs');
    // The cookie transport: no refresh token reaches the page's JavaScript.
    expect(refreshToken).toBeNull();
    const [cookie] = await context.cookies(proxy.url);
    expect(cookie).toMatchObject({ name: '__Host-tessera_refresh', httpOnly: true, secure: true });
    const second = await openTab(context);
    const both = () =>
      Promise.all([first, second].map((tab) => tab.evaluate(() => (window as any).app.me())));
    expect(await both()).toEqual([email, email]);
    const from = proxy.operations.length;
    await expire();
    expect(await both()).toEqual([email, email]);
    expect(await both()).toEqual([email, email]);
    const names = proxy.operations.slice(from).map((operation) => operation.name);
    expect(names.filter((name) => name === 'RefreshToken')).toHaveLength(1);
    // Every Me got through at the first try: nothing was sent with an expired token.
    expect(names.filter((name) => name === 'Me')).toHaveLength(4);
    for (const tab of [first, second]) {
      expect(await tab.evaluate(() => (window as any).signedOut)).toEqual([]);
    }
    await context.close();
  });
});

const expire = () => new Promise((resolve) => setTimeout(resolve, ACCESS_TTL_SECONDS * 1000 + 300));
const refreshesSince = (from: number) => proxy.count('RefreshToken') - from;

describe('signing out', () => {
  test('logging out in one tab signs the other out too, with the event, and clears the cookie', async () => {
    const { context, first, email } = await signedUpTab('leave');
    const second = await openTab(context);
    expect(await second.evaluate(() => (window as any).app.me())).toBe(email);
    await first.evaluate(() => (window as any).app.logout());
    await expect
      .poll(() => second.evaluate(() => (window as any).signedOut))
      .toEqual(['ELSEWHERE']);
    expect(await first.evaluate(() => (window as any).signedOut)).toEqual(['LOGOUT']);
    expect(await second.evaluate(() => (window as any).app.meOrCode())).toBe('UNAUTHENTICATED');
    expect(await context.cookies(proxy.url)).toEqual([]);
    await context.close();
  });
});

describe('the refresh lock', () => {
  test('a tab that holds the lock forever does not hang the others: they refresh without it (supabase-js#1594)', async () => {
    const { context, first: stuck, email } = await signedUpTab('stuck');
    // A frozen or buggy tab takes the refresh lock and never lets go.
    await stuck.evaluate((api) => {
      void navigator.locks.request(`tessera-refresh ${api}`, () => new Promise(() => {}));
    }, `${proxy.url}/graphql`);
    const other = await openTab(context, '&lockTimeoutMs=500');
    await expire();
    const from = proxy.count('RefreshToken');
    const started = Date.now();
    expect(await other.evaluate(() => (window as any).app.me())).toBe(email);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(refreshesSince(from)).toBe(1);
    expect(await other.evaluate(() => (window as any).signedOut)).toEqual([]);
    await context.close();
  });

  test('coming back to the foreground refreshes a due token before the app asks, once for both tabs', async () => {
    const { context, first, email } = await signedUpTab('focus');
    const second = await openTab(context);
    await expire();
    const from = proxy.count('RefreshToken');
    // Both tabs are told they are in front again (focus, visibility), as after a laptop wakes.
    await Promise.all(
      [first, second].map((tab) =>
        tab.evaluate(() => {
          window.dispatchEvent(new Event('focus'));
          document.dispatchEvent(new Event('visibilitychange'));
        }),
      ),
    );
    await expect.poll(() => refreshesSince(from)).toBe(1);
    const meFrom = proxy.operations.length;
    for (const tab of [first, second]) {
      expect(await tab.evaluate(() => (window as any).app.me())).toBe(email);
    }
    expect(proxy.operations.slice(meFrom).map((operation) => operation.name)).toEqual(['Me', 'Me']);
    expect(refreshesSince(from)).toBe(1);
    await context.close();
  });
});

describe('the Sandbox landing page', () => {
  test('is served by Tessera with its embed configuration (the Sandbox itself is on Apollo\u2019s CDN)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const external: string[] = [];
    // These machines cannot reach Apollo's CDN: refuse it at once instead of waiting for it.
    await page.route(/^https:\/\//, (route) => {
      external.push(new URL(route.request().url()).host);
      return route.abort();
    });
    const response = await page.goto(`${app.url}/graphql`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    const config = await page.evaluate(() => (window as any).embeddedSandboxConfig);
    // What a user meets once the Sandbox has loaded: the example document, the header to fill
    // in, and no telemetry (src/graphql/landing-page.ts).
    expect(config).toMatchObject({
      target: '#embeddableSandbox',
      runTelemetry: false,
      initialState: { headers: { Authorization: 'Bearer <paste your accessToken>' } },
    });
    expect(config.initialState.document).toContain('query Me');
    expect(await page.evaluate(() => (window as any).initialEndpoint)).toBe(`${app.url}/graphql`);
    expect(await page.locator('#embeddableSandbox').count()).toBe(1);
    expect(external).toContain('embeddable-sandbox.cdn.apollographql.com');
    await context.close();
  });
});
