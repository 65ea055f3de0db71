import { describe, expect, it } from 'vitest';
import {
  generateToken,
  hashToken,
  isWellFormedToken,
  TOKEN_LENGTH,
} from '../../src/auth/tokens.ts';

describe('token format', () => {
  it('prefixes access tokens tsa_ and refresh tokens tsr_, URL-safe, 256 random bits + checksum', () => {
    const access = generateToken('access');
    const refresh = generateToken('refresh');
    expect(access).toMatch(/^tsa_[A-Za-z0-9_-]{49}$/);
    expect(refresh).toMatch(/^tsr_[A-Za-z0-9_-]{49}$/);
    // 43 base64url characters carry 258 bits; the first 32 bytes decode from them.
    expect(Buffer.from(access.slice(4, 47), 'base64url')).toHaveLength(32);
    // The hot path refuses any other length before hashing (access-tokens.ts).
    expect([access.length, refresh.length]).toEqual([TOKEN_LENGTH, TOKEN_LENGTH]);
  });

  it('never repeats', () => {
    const tokens = new Set(Array.from({ length: 2000 }, () => generateToken('access')));
    expect(tokens.size).toBe(2000);
  });

  it('accepts its own tokens and refuses the other kind', () => {
    const access = generateToken('access');
    const refresh = generateToken('refresh');
    expect(isWellFormedToken(access, 'access')).toBe(true);
    expect(isWellFormedToken(refresh, 'refresh')).toBe(true);
    expect(isWellFormedToken(access, 'refresh')).toBe(false);
    expect(isWellFormedToken(refresh, 'access')).toBe(false);
    expect(isWellFormedToken(`tsr_${access.slice(4)}`, 'refresh')).toBe(false); // checksum covers the prefix
  });

  it('catches any single changed character with the checksum', () => {
    const token = generateToken('refresh');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 4; i < token.length; i++) {
      const replacement = alphabet[(alphabet.indexOf(token[i] as string) + 1) % alphabet.length];
      const mangled = token.slice(0, i) + replacement + token.slice(i + 1);
      expect(isWellFormedToken(mangled, 'refresh')).toBe(false);
    }
  });

  // Known answers from the Buffer encoding tokens were minted with before the checksum was
  // written out by hand: tokens already issued must stay well-formed (the high bit set and clear,
  // both kinds, and three of the last character's four values).
  it.each([
    'tsa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAZlvRvQ',
    'tsr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAYFwMZg',
    'tsa____________________________________________rUdyZQ',
    'tsr_abcdefghijklmnopqrstuvwxyz0123456789-_ABCDEuA8NXw',
  ])('accepts %s, minted by the earlier checksum encoding', (token) => {
    expect(isWellFormedToken(token, token.startsWith('tsa_') ? 'access' : 'refresh')).toBe(true);
  });

  it.each([
    undefined,
    null,
    42,
    '',
    'tsa_',
    'tsa_short',
    `tsa_${'a'.repeat(48)}`,
    `tsa_${'a'.repeat(50)}`,
    `tsa_${'a'.repeat(43)}+/+/+/`,
  ])('refuses %j without throwing', (value) => {
    expect(isWellFormedToken(value, 'access')).toBe(false);
  });

  // Known answers, not a second implementation: FIPS 180-2's "abc" and the empty string, and
  // digests of a token-shaped and a non-ASCII text from coreutils' `printf %s … | sha256sum`.
  it.each([
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    [
      `tsa_${'A'.repeat(43)}xxxxxx`,
      '709dfb0cc823796e563525780ff55e2d62774578d8c6c0220745763ce6f71c5e',
    ],
    ['é', '4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c'], // UTF-8 bytes
  ])('stores %j as the lower-case hex SHA-256 of its text', (token, digest) => {
    expect(hashToken(token)).toBe(digest);
  });
});
