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

// Node and pg error codes that mean "the database is not there", as opposed to a bad query.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08003',
  '08006',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
        message,
      )
    ) {
      return true;
    }
    e = cause;
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
