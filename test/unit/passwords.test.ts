import { describe, expect, it } from 'vitest';
import { assertPasswordAcceptable, createPasswordHasher } from '../../src/auth/passwords.ts';
import { AppError } from '../../src/errors.ts';

describe('passwords', () => {
  it('hash with argon2id at the production parameters (m=19456, t=2, p=1) and verify', async () => {
    const passwords = createPasswordHasher();
    const hash = await passwords.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await passwords.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await passwords.verify(hash, 'Correct horse battery staple')).toBe(false);
    expect(await passwords.verify('not a hash', 'anything')).toBe(false);
    await expect(passwords.verifyNothing('anything')).resolves.toBeUndefined();
  });

  it('accept 8 to 256 characters and name the field otherwise', () => {
    expect(() => assertPasswordAcceptable('12345678', 'password')).not.toThrow();
    expect(() => assertPasswordAcceptable('😀'.repeat(256), 'password')).not.toThrow();
    expect(() => assertPasswordAcceptable('1234567', 'newPassword')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: { field: 'newPassword' } }),
    );
    expect(() => assertPasswordAcceptable('x'.repeat(257), 'password')).toThrow(AppError);
    expect(() => assertPasswordAcceptable('\ud800abcdefgh', 'password')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: { field: 'password' } }),
    );
  });
});
