// Error mapping: AppError → its contract code; GraphQL's own client errors pass through (an
// invalid EmailAddress becomes BAD_USER_INPUT with the argument's name); anything else is
// masked to INTERNAL_SERVER_ERROR (or SERVICE_UNAVAILABLE when the database is unreachable)
// and logged, never sent.
import { GraphQLError, type GraphQLFormattedError, Kind, parse, visit } from 'graphql';
import type { Logger } from 'pino';
import { AppError, ERROR_MESSAGES, type ErrorCode } from '../errors.ts';
import { InvalidEmailAddressError } from './scalars.ts';

const CLIENT_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

// Node and PostgreSQL (SQLSTATE) codes that mean "the database is not there, or not answering in
// time", as opposed to a bad query. Timeouts count: the client can retry, the query was fine.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '53300', // too_many_connections
  '55P03', // lock_not_available: lock_timeout cancelled the statement
  '57014', // query_canceled: statement_timeout (or a cancel request)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);

// pg and pg-pool raise these as plain Errors with no code (pg/lib/client.js, pg-pool/index.js).
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|is not queryable|Query read timeout/i;

/**
 * Whether `error`, or anything it wraps, says the database cannot be reached. MikroORM's
 * DriverException copies the driver error's fields; other layers wrap it as `cause` (pg-pool,
 * our own code), `originalError` (graphql-js) or `errors` (AggregateError, when every address
 * of a host refused), so all of those are walked, each error once.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const pending: unknown[] = [error];
  const seen = new Set<unknown>();
  while (pending.length > 0 && seen.size < 32) {
    const e = pending.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const { code, message, cause, originalError, errors } = e as Record<string, unknown>;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) {
      return true; // class 08 is connection_exception
    }
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
    pending.push(cause, originalError, ...(Array.isArray(errors) ? errors : []));
  }
  return false;
}

export function serviceUnavailableError(): GraphQLError {
  return new GraphQLError(ERROR_MESSAGES.SERVICE_UNAVAILABLE, {
    extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
  });
}

function contractError(
  formatted: GraphQLFormattedError,
  code: ErrorCode,
  extensions: Record<string, unknown> = {},
  message: string = ERROR_MESSAGES[code],
): GraphQLFormattedError {
  return {
    message,
    ...(formatted.locations && { locations: formatted.locations }),
    ...(formatted.path && { path: formatted.path }),
    extensions: { code, ...extensions },
  };
}

/** The name of the argument whose value (or variable) an error points at, if it can be found. */
function argumentNameOf(error: GraphQLError): string | undefined {
  const node = error.nodes?.[0];
  const body = error.source?.body;
  if (!node?.loc || !body) return undefined;
  const variable = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/.exec(error.message)?.[1];
  let name: string | undefined;
  try {
    visit(parse(body), {
      Argument(arg) {
        const points =
          variable !== undefined
            ? arg.value.kind === Kind.VARIABLE && arg.value.name.value === variable
            : arg.value.loc?.start === node.loc?.start;
        if (points) name ??= arg.name.value;
      },
    });
  } catch {
    return undefined;
  }
  return name ?? variable;
}

/** graphql-js wraps a scalar's error once for literals and twice for variables. */
function causedByInvalidEmail(error: unknown): error is GraphQLError {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (e instanceof InvalidEmailAddressError) return true;
    e = (e as { originalError?: unknown }).originalError;
  }
  return false;
}

/**
 * The error a resolver threw, out of GraphQL's wrapper. Apollo's unwrapResolverError does the
 * same with `instanceof GraphQLError`, which fails when graphql is loaded twice.
 */
function unwrapResolverError(error: unknown): unknown {
  const { path, originalError } = (error ?? {}) as { path?: unknown; originalError?: unknown };
  return path && originalError ? originalError : error;
}

export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, raw: unknown): GraphQLFormattedError => {
    const error = unwrapResolverError(raw);
    if (error instanceof AppError) {
      return contractError(formatted, error.code, error.extensions, error.message);
    }
    const code = formatted.extensions?.code;
    if (code === 'SERVICE_UNAVAILABLE' || isDatabaseUnavailable(error)) {
      logger.warn({ err: error }, 'the database cannot be reached');
      return contractError(formatted, 'SERVICE_UNAVAILABLE');
    }
    if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
      // graphql-scalars' message echoes the value; ours names the argument instead.
      // Not `instanceof GraphQLError`: graphql can be loaded twice (ESM and CJS copies).
      if (causedByInvalidEmail(raw)) {
        const field = argumentNameOf(raw);
        return contractError(
          formatted,
          'BAD_USER_INPUT',
          field ? { field } : {},
          new InvalidEmailAddressError().message,
        );
      }
      return formatted;
    }
    logger.error({ err: error }, 'unexpected error in a GraphQL operation');
    return contractError(formatted, 'INTERNAL_SERVER_ERROR');
  };
}
