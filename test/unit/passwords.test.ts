import { describe, expect, it } from 'vitest';
import {
  assertPasswordAcceptable,
  createLimiter,
  createPasswordHasher,
} from '../../src/auth/passwords.ts';
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

  it('run at most the cap of hashes at once, the rest in the order they came, a failure freeing its slot', async () => {
    const limited = createLimiter(2);
    const started: number[] = [];
    const finish: Array<(fail?: boolean) => void> = [];
    const results = Array.from({ length: 5 }, (_, i) =>
      limited(
        () =>
          new Promise<number>((resolve, reject) => {
            started.push(i);
            finish[i] = (fail) => (fail ? reject(new Error(`task ${i}`)) : resolve(i));
          }),
      ).catch((error: Error) => error.message),
    );
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
    await settle();
    expect(started).toEqual([0, 1]);
    finish[1]?.(true); // a failure gives its slot back too
    await settle();
    expect(started).toEqual([0, 1, 2]);
    finish[0]?.();
    finish[2]?.();
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    finish[3]?.();
    finish[4]?.();
    expect(await Promise.all(results)).toEqual([0, 'task 1', 2, 3, 4]);
  });
});
