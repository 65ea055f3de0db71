// Which failures mean "the database is not there (or not answering in time)": built the way pg,
// pg-pool and MikroORM build them (pg/lib/client.js, pg-pool/index.js, MikroORM's
// PostgreSqlExceptionConverter), and wrapped the way a resolver's error reaches formatError.
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import pg from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { createFormatError, isDatabaseUnavailable } from '../../src/graphql/errors.ts';

const converter = new PostgreSqlPlatform().getExceptionConverter();

/** What MikroORM throws for a driver error: a DriverException (or a subclass) copying it. */
const throughOrm = (error: Error) => converter.convertException(error);

/** A server-side error as pg's protocol parser builds it. */
function serverError(code: string, message: string): pg.DatabaseError {
  return Object.assign(new pg.DatabaseError(message, 100, 'error'), { code, severity: 'ERROR' });
}

/** As graphql-js hands a resolver's error to formatError. */
const located = (error: Error) =>
  new GraphQLError(error.message, { originalError: error, path: ['sessions'] });

const unavailable: Array<[string, () => Error]> = [
  [
    'a query on a client whose connection failed',
    () => new Error('Client has encountered a connection error and is not queryable'),
  ],
  ['a query on a closed client', () => new Error('Client was closed and is not queryable')],
  ['pg’s client-side query timeout', () => new Error('Query read timeout')],
  ['a lost connection', () => new Error('Connection terminated unexpectedly')],
  ['an exhausted pool', () => new Error('timeout exceeded when trying to connect')],
  [
    'a connection timeout (pg-pool wraps the cause)',
    () =>
      new Error('Connection terminated due to connection timeout', {
        cause: new Error('Connection terminated unexpectedly'),
      }),
  ],
  [
    'statement_timeout (57014)',
    () => serverError('57014', 'canceling statement due to statement timeout'),
  ],
  ['lock_timeout (55P03)', () => serverError('55P03', 'canceling statement due to lock timeout')],
  ['too many connections (53300)', () => serverError('53300', 'sorry, too many clients already')],
  ['a server shutting down (57P01)', () => serverError('57P01', 'terminating connection')],
  [
    'a refused connection',
    () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
  ],
];

const notUnavailable: Array<[string, () => unknown]> = [
  [
    'a unique violation (23505)',
    () => serverError('23505', 'duplicate key value violates unique constraint'),
  ],
  ['a syntax error (42601)', () => serverError('42601', 'syntax error at or near "selec"')],
  ['a missing table (42P01)', () => serverError('42P01', 'relation "users" does not exist')],
  ['a plain bug', () => new TypeError('Cannot read properties of undefined')],
  ['a contract error', () => new AppError('INVALID_CREDENTIALS')],
  ['a thrown string', () => 'Query read timeout'],
  ['nothing', () => undefined],
];

describe('isDatabaseUnavailable', () => {
  it.each(unavailable)('is true for %s, bare, through MikroORM and in a cause chain', (_, make) => {
    expect(isDatabaseUnavailable(make())).toBe(true);
    expect(isDatabaseUnavailable(throughOrm(make()))).toBe(true);
    expect(
      isDatabaseUnavailable(new Error('transaction failed', { cause: throughOrm(make()) })),
    ).toBe(true);
    expect(isDatabaseUnavailable(located(throughOrm(make())))).toBe(true);
  });

  it.each(notUnavailable)('is false for %s', (_, make) => {
    const error = make();
    expect(isDatabaseUnavailable(error)).toBe(false);
    if (error instanceof Error) {
      expect(isDatabaseUnavailable(throughOrm(error))).toBe(false);
      expect(isDatabaseUnavailable(new Error('wrapped', { cause: error }))).toBe(false);
    }
  });

  it('finds a cause deep in a chain, and stops on a chain that loops', () => {
    let deep: Error = new Error('Client was closed and is not queryable');
    for (let i = 0; i < 8; i++) deep = new Error(`layer ${i}`, { cause: deep });
    expect(isDatabaseUnavailable(deep)).toBe(true);
    const loop = new Error('a') as Error & { cause?: unknown };
    loop.cause = new Error('b', { cause: loop });
    expect(isDatabaseUnavailable(loop)).toBe(false);
  });

  it('looks inside an AggregateError (several addresses refused)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(isDatabaseUnavailable(new AggregateError([refused], ''))).toBe(true);
  });
});

describe('formatError with the database unavailable', () => {
  it.each(unavailable)(
    'answers %s with SERVICE_UNAVAILABLE, logged as a warning not an error',
    (_, make) => {
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      const error = located(throughOrm(make()));
      expect(
        createFormatError(logger)({ message: error.message, path: ['sessions'] }, error),
      ).toEqual({
        message: 'The service is temporarily unavailable. Try again shortly.',
        path: ['sessions'],
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
      expect(lines.map((line) => JSON.parse(line).level)).toEqual([40]);
    },
  );
});
