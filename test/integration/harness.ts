// The test app on this run's database (or another way to it, such as a cuttable proxy).
import { inject } from 'vitest';
import { type AppOptions, startApp, type TestApp } from '../app.ts';

export * from '../app.ts';

export function startTestApp(
  options: Omit<AppOptions, 'databaseUrl'> & { databaseUrl?: string } = {},
): Promise<TestApp> {
  return startApp({ ...options, databaseUrl: options.databaseUrl ?? inject('databaseUrl') });
}
