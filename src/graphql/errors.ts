// Error mapping: AppError → its contract code; GraphQL's own client errors pass through with
// any value the client sent taken out of the message (an invalid EmailAddress becomes
// BAD_USER_INPUT with the argument's name); anything else is masked to INTERNAL_SERVER_ERROR
// (or SERVICE_UNAVAILABLE when the database is unreachable) and logged, never sent.
import {
  type ASTNode,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLInputType,
  type GraphQLSchema,
  Kind,
  parse,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Logger } from 'pino';
import { AppError, ERROR_MESSAGES, type ErrorCode } from '../errors.ts';
import { InvalidEmailAddressError } from './scalars.ts';

/** GraphQL's own client-error codes, passed through to the client (with its values taken out). */
export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set([
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

/** What an error about a value points at: the argument it is for, and the type it must have. */
interface ValueTarget {
  argument?: string;
  /** For a literal; only found when the schema is known. */
  type?: GraphQLInputType;
}

/**
 * Finds the argument (and, given the schema, the expected type) of the value or variable an
 * error points at, by walking the document again. TypeInfo knows a value's type when its parent
 * (argument, list or object field) is entered, not at the value itself, hence the parent hooks.
 */
function valueTargetOf(error: GraphQLError, schema: GraphQLSchema | undefined): ValueTarget {
  const node = error.nodes?.[0];
  const body = error.source?.body;
  if (!node?.loc || !body) return {};
  const variable = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/.exec(error.message)?.[1];
  const isTarget = (value: ASTNode) =>
    variable !== undefined
      ? value.kind === Kind.VARIABLE && value.name.value === variable
      : value.kind === node.kind && value.loc?.start === node.loc?.start;
  const target: ValueTarget = {};
  const typeInfo = schema ? new TypeInfo(schema) : undefined;
  const expect = (value: ASTNode) => {
    if (isTarget(value)) target.type ??= typeInfo?.getInputType() ?? undefined;
  };
  const visitor = {
    Argument: {
      enter(arg: { name: { value: string }; value: ASTNode }) {
        if (isTarget(arg.value)) target.argument ??= arg.name.value;
        expect(arg.value);
      },
    },
    ObjectField: { enter: (field: { value: ASTNode }) => expect(field.value) },
    ListValue: { enter: (list: { values: readonly ASTNode[] }) => list.values.forEach(expect) },
  };
  try {
    const document = parse(body);
    visit(document, typeInfo ? visitWithTypeInfo(typeInfo, visitor) : visitor);
  } catch {
    return {};
  }
  return { ...target, argument: target.argument ?? variable };
}

const VALUE_KINDS: ReadonlySet<string> = new Set([
  Kind.STRING,
  Kind.INT,
  Kind.FLOAT,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
]);

/**
 * graphql-js quotes the client's value in coercion and syntax errors ("Variable "$p" got invalid
 * value ["hunter2"]; String cannot represent…", "Expected ":", found String "hunter2""), and
 * Apollo quotes an unknown operationName. A value in the wrong place is as likely as not a
 * password or a token, so each of those messages is rewritten to name the variable, argument
 * and expected type instead. Undefined when the message carries no client value.
 */
function withoutClientValues(
  error: GraphQLError,
  code: string,
  schema: GraphQLSchema | undefined,
): { message: string; field?: string } | undefined {
  const { message } = error;
  const node = error.nodes?.[0];
  const variable = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" (?:got|has) invalid value/.exec(
    message,
  )?.[1];
  if (variable !== undefined && node?.kind === Kind.VARIABLE_DEFINITION) {
    const { argument } = valueTargetOf(error, schema);
    return {
      message: `Variable "$${variable}" got a value that is not a valid "${print(node.type)}".`,
      ...(argument && { field: argument }),
    };
  }
  if (code === 'GRAPHQL_VALIDATION_FAILED' && node && VALUE_KINDS.has(node.kind)) {
    const { argument, type } = valueTargetOf(error, schema);
    const expected = type ? ` a valid "${String(type)}"` : ' valid';
    return {
      message: argument
        ? `Argument "${argument}" has a value that is not${expected}.`
        : `A value in the document is not${expected}.`,
      ...(argument && { field: argument }),
    };
  }
  if (code === 'GRAPHQL_PARSE_FAILED') {
    const token =
      /^(Syntax Error: (?:Expected .+?, found|Unexpected)) (String|BlockString|Int|Float|Name|Comment) "/s.exec(
        message,
      );
    if (token) return { message: `${token[1]} ${token[2]}.` };
    const quoted = /^(Syntax Error: [^"]*?): (?:".*"|U\+[0-9A-Fa-f]+)\.$/s.exec(message);
    if (quoted) return { message: `${quoted[1]}.` };
    return undefined;
  }
  if (code === 'OPERATION_RESOLUTION_FAILURE' && message.startsWith('Unknown operation named')) {
    return { message: 'The document has no operation of the requested operationName.' };
  }
  return undefined;
}

/** graphql-js wraps a scalar's error once for literals and twice for variables. */
function causedByInvalidEmail(error: unknown): error is GraphQLError {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (e instanceof InvalidEmailAddressError) return true;
    e = (e as { originalError?: unknown }).originalError;
  }
  return false;
}

/** Not `instanceof GraphQLError`: graphql can be loaded twice (ESM and CJS copies). */
function isGraphQLErrorLike(error: unknown): error is GraphQLError {
  return error instanceof Error && typeof (error as { message?: unknown }).message === 'string';
}

/**
 * The error a resolver threw, out of GraphQL's wrapper. Apollo's unwrapResolverError does the
 * same with `instanceof GraphQLError`, which fails when graphql is loaded twice.
 */
function unwrapResolverError(error: unknown): unknown {
  const { path, originalError } = (error ?? {}) as { path?: unknown; originalError?: unknown };
  return path && originalError ? originalError : error;
}

/** `schema` (optional) lets messages about a literal name the type the argument needs. */
export function createFormatError(logger: Logger, schema?: GraphQLSchema) {
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
        const field = valueTargetOf(raw, schema).argument;
        return contractError(
          formatted,
          'BAD_USER_INPUT',
          field ? { field } : {},
          new InvalidEmailAddressError().message,
        );
      }
      const rewritten = isGraphQLErrorLike(raw)
        ? withoutClientValues(raw, code, schema)
        : undefined;
      if (!rewritten) return formatted;
      return {
        ...formatted,
        message: rewritten.message,
        extensions: {
          ...formatted.extensions,
          ...(rewritten.field && { field: rewritten.field }),
        },
      };
    }
    logger.error({ err: error }, 'unexpected error in a GraphQL operation');
    return contractError(formatted, 'INTERNAL_SERVER_ERROR');
  };
}
