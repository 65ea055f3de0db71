import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { createFormatError } from '../../src/graphql/errors.ts';

function capture() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  return { formatError: createFormatError(logger), lines };
}

const wrapped = (original: Error) =>
  new GraphQLError(original.message, { originalError: original, path: ['me'] });

describe('formatError', () => {
  it('turns an AppError into its contract code and extensions', () => {
    const { formatError } = capture();
    const error = wrapped(new AppError('INVALID_REFRESH_TOKEN', { reason: 'REUSED' }));
    expect(formatError({ message: 'x', path: ['me'] }, error)).toEqual({
      message: 'The refresh token is not valid. Sign in again.',
      path: ['me'],
      extensions: { code: 'INVALID_REFRESH_TOKEN', reason: 'REUSED' },
    });
  });

  it('masks anything unexpected to INTERNAL_SERVER_ERROR and logs the original instead', () => {
    const { formatError, lines } = capture();
    const error = wrapped(new Error('relation "users" does not exist at select * from users'));
    const formatted = formatError({ message: error.message }, error);
    expect(formatted).toEqual({
      message: 'Something went wrong.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(lines.join('')).toContain('relation \\"users\\" does not exist');
  });

  it('reports an unreachable database as SERVICE_UNAVAILABLE', () => {
    const { formatError } = capture();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(formatError({ message: refused.message }, wrapped(refused)).extensions?.code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });

  it('passes GraphQL’s own client errors through', () => {
    const { formatError } = capture();
    const formatted = {
      message: 'Cannot query field "mee" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    };
    expect(formatError(formatted, new GraphQLError(formatted.message))).toBe(formatted);
  });
});
