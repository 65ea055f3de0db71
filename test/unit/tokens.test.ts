import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, isWellFormedToken } from '../../src/auth/tokens.ts';

describe('token format', () => {
  it('prefixes access tokens tsa_ and refresh tokens tsr_, URL-safe, 256 random bits + checksum', () => {
    const access = generateToken('access');
    const refresh = generateToken('refresh');
    expect(access).toMatch(/^tsa_[A-Za-z0-9_-]{49}$/);
    expect(refresh).toMatch(/^tsr_[A-Za-z0-9_-]{49}$/);
    // 43 base64url characters carry 258 bits; the first 32 bytes decode from them.
    expect(Buffer.from(access.slice(4, 47), 'base64url')).toHaveLength(32);
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

  it('stores tokens as the hex SHA-256 of their text', () => {
    const token = generateToken('access');
    expect(hashToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});
