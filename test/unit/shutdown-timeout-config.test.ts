// SHUTDOWN_TIMEOUT_SECONDS: how long a drain may take (src/main.ts).
import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

it('reads SHUTDOWN_TIMEOUT_SECONDS, 10 by default, 1 to 300', () => {
  expect(loadConfig({}).shutdownTimeoutSeconds).toBe(10);
  expect(loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: '1' }).shutdownTimeoutSeconds).toBe(1);
  expect(loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: '300' }).shutdownTimeoutSeconds).toBe(300);
  for (const bad of ['0', '301', '2.5', 'soon']) {
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: bad })).toThrow(ConfigError);
  }
});
