import { describe, expect, it } from 'vitest';
import { parseAuthorizationHeader } from '../../src/graphql/context.ts';

describe('parseAuthorizationHeader', () => {
  it('reads a Bearer token, the scheme in any case', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect(parseAuthorizationHeader(`${scheme} tsa_abc`)).toEqual({
        kind: 'bearer',
        token: 'tsa_abc',
      });
    }
  });

  it('treats a missing header as none', () => {
    expect(parseAuthorizationHeader(undefined)).toEqual({ kind: 'none' });
  });

  it.each([
    '',
    'Bearer',
    'Bearer ',
    'Basic abc',
    'Token abc',
    'Bearer a b',
    'Bearertsa_abc',
    'tsa_abc',
  ])('calls %j malformed', (header) => {
    expect(parseAuthorizationHeader(header)).toEqual({ kind: 'malformed' });
  });
});
