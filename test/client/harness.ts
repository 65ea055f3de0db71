// The client package against the real test server, through an HTTP proxy that counts what
// reaches the server: one app and one proxy per file, a client per test.
import { afterAll, beforeAll } from 'vitest';
import {
  createTesseraClient,
  memoryStore,
  type SignedOutEvent,
  type TesseraClient,
  type TesseraClientOptions,
} from '../../client/src/index.ts';
import { PASSWORD, startTestApp, type TestApp, uniqueEmail } from '../integration/harness.ts';
import { type HttpProxy, startHttpProxy } from '../integration/http-proxy.ts';

export { PASSWORD, uniqueEmail };

/** The access token lifetime of these tests: long enough that no test expires one by accident. */
export const ACCESS_TTL_SECONDS = 60;

export function useClientTestApp(): { app: TestApp; proxy: HttpProxy } {
  const started: { app?: TestApp; proxy?: HttpProxy } = {};
  beforeAll(async () => {
    started.app = await startTestApp({ settings: { accessTokenTtlSeconds: ACCESS_TTL_SECONDS } });
    started.proxy = await startHttpProxy(started.app.url);
  });
  afterAll(async () => {
    await started.proxy?.close();
    await started.app?.close();
  });
  return {
    get app() {
      return started.app as TestApp;
    },
    get proxy() {
      return started.proxy as HttpProxy;
    },
  };
}

export interface SignedInClient {
  tessera: TesseraClient;
  email: string;
  signedOut: SignedOutEvent[];
}

/**
 * A client on the body transport (as in Node). Its clock is the
 * server's test clock shifted by `skewMs`, so a test moves both by advancing `app.clock`.
 */
export function clientFor(
  env: { app: TestApp; proxy: HttpProxy },
  options: Partial<TesseraClientOptions> & { skewMs?: number } = {},
): Omit<SignedInClient, 'email'> {
  const { skewMs = 0, ...rest } = options;
  const tessera = createTesseraClient({
    url: `${env.proxy.url}/graphql`,
    storage: memoryStore(),
    now: () => env.app.clock.now().getTime() + skewMs,
    ...rest,
  });
  const signedOut: SignedOutEvent[] = [];
  tessera.onSignedOut((event) => signedOut.push(event));
  return { tessera, signedOut };
}

/** The same, signed up. */
export async function signedInClient(
  env: { app: TestApp; proxy: HttpProxy },
  options: Partial<TesseraClientOptions> & { skewMs?: number } = {},
): Promise<SignedInClient> {
  const client = clientFor(env, options);
  const email = uniqueEmail('client');
  await client.tessera.signUp({ email, password: PASSWORD });
  return { ...client, email };
}
