// Structured JSON logs (pino). Every line written while a request is handled carries that
// request's id. Credentials are redacted wherever they could appear, and nothing logs request
// bodies, variables or query strings in the first place.
import { AsyncLocalStorage } from 'node:async_hooks';
import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.ts';

const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `work` with every log line inside it tagged with `requestId`. */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return requestScope.run({ requestId }, work);
}

export const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'password',
  'currentPassword',
  'newPassword',
  'accessToken',
  'refreshToken',
  'variables',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.variables',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => {
      const scope = requestScope.getStore();
      return scope ? { requestId: scope.requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The same logger without the redaction pass, for the request line alone. That line is built
 * field by field from values that cannot hold a credential (method, pathname, status, timing,
 * and request-summary.ts's names, codes and ids; never a body, header, query string or
 * variable), and it is written for every request, while redaction is most of what a log call
 * costs (about 8 of 10 µs a line here). Every other line keeps it.
 */
export function withoutRedaction(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}
