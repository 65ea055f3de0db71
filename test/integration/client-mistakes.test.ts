// A malformed request is the client's mistake: it gets a specific 4xx code and is not logged as
// a server error, so nobody can fill the error log (or page an operator) from outside.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { useTestApp } from './harness.ts';

const lines: string[] = [];
const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
const app = useTestApp({ logger });

const QUERY = '{ __typename }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const apq = (persistedQuery: unknown, query?: string) => ({
  ...(query !== undefined && { query }),
  extensions: { persistedQuery },
});

const mistakes: Array<[name: string, body: unknown, code: string]> = [
  [
    'a persisted query hash the server never saw',
    apq({ version: 1, sha256Hash: sha256('{ me { id } }') }),
    'PERSISTED_QUERY_NOT_SUPPORTED',
  ],
  [
    'a persisted query hash that does not match the query',
    apq({ version: 1, sha256Hash: 'a'.repeat(64) }, QUERY),
    'PERSISTED_QUERY_NOT_SUPPORTED',
  ],
  [
    'a persisted query registration',
    apq({ version: 1, sha256Hash: sha256(QUERY) }, QUERY),
    'PERSISTED_QUERY_NOT_SUPPORTED',
  ],
  ['a persistedQuery that is a string', apq('abc'), 'PERSISTED_QUERY_NOT_SUPPORTED'],
  ['a persistedQuery that is a number', apq(5, QUERY), 'PERSISTED_QUERY_NOT_SUPPORTED'],
  [
    'a persistedQuery of another version',
    apq({ version: 2, sha256Hash: sha256(QUERY) }, QUERY),
    'PERSISTED_QUERY_NOT_SUPPORTED',
  ],
  ['a subscription', { query: 'subscription { me { id } }' }, 'GRAPHQL_VALIDATION_FAILED'],
  [
    'a named subscription beside a query',
    { query: 'query Q { __typename } subscription S { me { id } }', operationName: 'Q' },
    'GRAPHQL_VALIDATION_FAILED',
  ],
  ['variables that are a string', { query: QUERY, variables: 'x' }, 'BAD_REQUEST'],
  ['variables that are a list', { query: QUERY, variables: [1] }, 'BAD_REQUEST'],
  ['variables that are a number', { query: QUERY, variables: 5 }, 'BAD_REQUEST'],
  ['extensions that are a string', { query: QUERY, extensions: 'x' }, 'BAD_REQUEST'],
  ['a query that is a number', { query: 5 }, 'BAD_REQUEST'],
  ['a query that is an object', { query: { a: 1 } }, 'BAD_REQUEST'],
  ['no query at all', {}, 'BAD_REQUEST'],
  ['an operationName that is not a string', { query: QUERY, operationName: 5 }, 'BAD_REQUEST'],
  [
    'an operationName that matches nothing',
    { query: 'query A { __typename }', operationName: 'B' },
    'OPERATION_RESOLUTION_FAILURE',
  ],
  [
    'two operations and no operationName',
    { query: 'query A { __typename } query B { __typename }' },
    'OPERATION_RESOLUTION_FAILURE',
  ],
  ['a batch', [{ query: QUERY }, { query: QUERY }], 'BAD_REQUEST'],
];

describe('client mistakes', () => {
  it.each(mistakes)(
    '%s get a 4xx with a specific code and no error-level log line',
    async (_, body, code) => {
      lines.length = 0;
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const result = (await response.json()) as {
        errors?: Array<{ extensions: { code: string } }>;
      };
      expect(result.errors?.map((e) => e.extensions.code)).toEqual([code]);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      const levels = lines.map((line) => JSON.parse(line).level as number);
      expect(levels.filter((level) => level >= 50)).toEqual([]);
    },
  );
});
