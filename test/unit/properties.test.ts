// Property-based tests: any input, however hostile, gets an answer and never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSuccessor, sealSuccessor } from '../../src/auth/successor-seal.ts';
import { generateToken, isWellFormedToken, type TokenKind } from '../../src/auth/tokens.ts';
import { parseAuthorizationHeader } from '../../src/graphql/context.ts';

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
);
const kind = fc.constantFrom<TokenKind>('access', 'refresh');

describe('parseAuthorizationHeader, for any header', () => {
  it('never throws, and only ever yields a Bearer token without white space', () => {
    fc.assert(
      fc.property(anyText, (header) => {
        const parsed = parseAuthorizationHeader(header);
        expect(['none', 'malformed', 'bearer']).toContain(parsed.kind);
        if (parsed.kind === 'bearer') {
          expect(parsed.token).toMatch(/^\S+$/);
          expect(header.toLowerCase().startsWith('bearer ')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('finds the token in "Bearer <token>" whatever the scheme’s case', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.~+/-]{1,80}$/), fc.boolean(), (token, upper) => {
        const header = `${upper ? 'BEARER' : 'bearer'} ${token}`;
        expect(parseAuthorizationHeader(header)).toEqual({ kind: 'bearer', token });
      }),
    );
  });
});

describe('isWellFormedToken, for any string', () => {
  it('never throws and refuses anything that was not generated', () => {
    fc.assert(
      fc.property(anyText, kind, (text, k) => {
        expect(isWellFormedToken(text, k)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a generated token with any one character changed, dropped or added', () => {
    fc.assert(
      fc.property(
        kind,
        fc.nat(),
        fc.constantFrom('A', 'z', '0', '-', '_', ' ', 'é', '\u0000'),
        fc.constantFrom('replace', 'drop', 'insert'),
        (k, at, char, edit) => {
          const token = generateToken(k);
          const i = at % token.length;
          const mangled =
            edit === 'drop'
              ? token.slice(0, i) + token.slice(i + 1)
              : edit === 'insert'
                ? token.slice(0, i) + char + token.slice(i)
                : token.slice(0, i) + char + token.slice(i + 1);
          if (mangled !== token) expect(isWellFormedToken(mangled, k)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('openSuccessor, for any bytes', () => {
  it('never throws and opens nothing it did not seal', () => {
    const parent = generateToken('refresh');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(openSuccessor(parent, bytes)).toBeUndefined();
      }),
    );
  });

  it('opens what it sealed, for any payload', () => {
    const parent = generateToken('refresh');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (payload) => {
        expect(openSuccessor(parent, sealSuccessor(parent, payload))).toEqual(payload);
      }),
    );
  });
});
