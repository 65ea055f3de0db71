// The test app on this run's database (or another way to it, such as a cuttable proxy).
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { BUS_SQL_MARK } from '../../src/auth/revocation-bus.ts';
import {
  type AppOptions,
  type Auth,
  errorOf,
  me,
  refresh,
  startApp,
  type TestApp,
} from '../app.ts';
import { type ObservedStatement, startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

export * from '../app.ts';

export function startTestApp(
  options: Omit<AppOptions, 'databaseUrl'> & { databaseUrl?: string } = {},
): Promise<TestApp> {
  return startApp({ ...options, databaseUrl: options.databaseUrl ?? inject('databaseUrl') });
}

/** A stand-in for a value made in beforeAll, usable at the top of a file, forwarding to it. */
function lateBound<T extends object>(current: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = current();
      if (!target) throw new Error('started in beforeAll; use it inside a test');
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The test app for a whole file: started before its tests, closed after them. */
export function useTestApp(options: Parameters<typeof startTestApp>[0] = {}): TestApp {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp(options);
  });
  afterAll(() => app?.close());
  return lateBound(() => app);
}

/**
 * The same, reaching the database through a TCP proxy that can cut it off and that sees every
 * statement on the wire.
 */
export function useTestAppBehindProxy(options: Parameters<typeof startTestApp>[0] = {}): {
  app: TestApp;
  proxy: TcpProxy;
} {
  let app: TestApp | undefined;
  let proxy: TcpProxy | undefined;
  beforeAll(async () => {
    proxy = await startTcpProxy(inject('databaseUrl'));
    app = await startTestApp({ ...options, databaseUrl: proxy.url });
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
  });
  return { app: lateBound(() => app), proxy: lateBound(() => proxy) };
}

/**
 * The statements requests sent through `proxy` since `from` (a length of `proxy.statements`),
 * leaving out the token cache's own listener connection, which renews its lease in the
 * background.
 */
export function requestStatements(proxy: TcpProxy, from: number): ObservedStatement[] {
  return proxy.statements.slice(from).filter((s) => !s.text?.includes(BUS_SQL_MARK));
}

/** `auth`'s tokens are refused by `app` as those of a revoked session: access and refresh alike. */
export async function expectRevoked(app: TestApp, auth: Auth): Promise<void> {
  expect(errorOf(await me(app, auth.accessToken))).toEqual({
    code: 'UNAUTHENTICATED',
    reason: 'REVOKED',
  });
  expect(errorOf(await refresh(app, auth.refreshToken))).toEqual({
    code: 'INVALID_REFRESH_TOKEN',
    reason: 'REVOKED',
  });
}
