// Password hashing with argon2id (@node-rs/argon2's defaults: m=19456 KiB, t=2, p=1, the OWASP
// recommendation). The async calls run off the event loop, at most one per core at a time.
import { availableParallelism } from 'node:os';
import { hash, hashSync, verify } from '@node-rs/argon2';
import { AppError } from '../errors.ts';

export interface PasswordHasherOptions {
  /** Tests may pass cheaper parameters; production uses the library's defaults. */
  memoryCost?: number;
  timeCost?: number;
  /**
   * Hashes (and verifies) running at once; the rest wait in turn. Default: the cores this
   * process may run on. Each one holds `memoryCost` KiB (19 MiB) while it runs, and libuv's pool
   * would run four; more than one per core only shares the cores, so logins per second stay at
   * cores ÷ hash time while the memory held drops to one hash's worth per core.
   */
  concurrency?: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Spends the time of one verify, for an unknown email, so both answers take as long. */
  verifyNothing(password: string): Promise<void>;
  /** True when a stored hash was made with other parameters than the configured ones. */
  needsRehash(passwordHash: string): boolean;
}

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

// @node-rs/argon2's defaults (its Algorithm enum is empty at run time, so we never pass one).
const DEFAULT_MEMORY_COST = 19_456;
const DEFAULT_TIME_COST = 2;
const DEFAULT_PARALLELISM = 1;

/** Runs at most `limit` pieces of work at once, the others in the order they came. */
export function createLimiter(limit: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running < limit) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // handed a slot on release
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const { concurrency = availableParallelism(), ...params } = options;
  // Every call queues the same way, so an unknown email's verifyNothing waits like a verify.
  const limited = createLimiter(Math.max(1, concurrency));
  const expectedPrefix = `$argon2id$v=19$m=${options.memoryCost ?? DEFAULT_MEMORY_COST},t=${
    options.timeCost ?? DEFAULT_TIME_COST
  },p=${DEFAULT_PARALLELISM}$`;
  // Made at once, with the same parameters as real hashes so it costs the same to verify. Made
  // lazily, it made the first unknown-email login of a process take a hash longer (~133 ms
  // against ~40 ms), which told a prober that the address was unknown. One synchronous hash at
  // start-up is the price.
  const dummy = hashSync('tessera-dummy-password', params);
  return {
    hash: (password) => limited(() => hash(password, params)),
    async verify(passwordHash, password) {
      try {
        return await limited(() => verify(passwordHash, password, params));
      } catch {
        return false; // a corrupt stored hash must not become a 500 or a way in
      }
    },
    needsRehash: (passwordHash) => !passwordHash.startsWith(expectedPrefix),
    async verifyNothing(password) {
      await limited(() => verify(dummy, password, params)).catch(() => false);
    },
  };
}

/** Length is counted in characters (code points), as a user counts them. */
export function assertPasswordAcceptable(password: string, field: string): void {
  // A lone surrogate becomes U+FFFD when encoded, so two different passwords would hash alike.
  if (!password.isWellFormed()) {
    throw new AppError('BAD_USER_INPUT', { field }, 'The password is not valid Unicode text.');
  }
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new AppError(
      'BAD_USER_INPUT',
      { field },
      `The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`,
    );
  }
}
