// Every password check goes through here: login and each `currentPassword`. It is throttled
// (refused before the password is even looked at once a limit is reached), answers an unknown
// email and a wrong password alike, and upgrades a stored hash whose parameters are outdated.
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../db/entities/index.ts';
import { AppError } from '../errors.ts';
import { normalizeEmail } from '../users/email.ts';
import { recordSecurityEvent } from './events.ts';
import type { AuthDeps, RequestMeta } from './settings.ts';

async function checkPassword(
  em: EntityManager,
  deps: AuthDeps,
  email: string,
  user: User | null,
  password: string,
  meta: RequestMeta,
): Promise<User> {
  const { passwords, throttle, clock } = deps;
  const verdict = await throttle.begin(email, meta.ipAddress);
  if (!verdict.allowed) {
    // Once per lockout, not per refused attempt: a flood must not flood the owner's log too.
    if (verdict.crossed) {
      recordSecurityEvent(
        em,
        { type: 'RATE_LIMITED', userId: user?.id ?? null },
        meta,
        clock.now(),
      );
      await em.flush();
    }
    throw new AppError('RATE_LIMITED', { retryAfter: verdict.retryAfterSeconds });
  }

  if (user && (await passwords.verify(user.passwordHash, password))) {
    await throttle.succeeded(email, meta.ipAddress);
    if (passwords.needsRehash(user.passwordHash)) {
      user.passwordHash = await passwords.hash(password);
      user.updatedAt = clock.now();
      await em.flush();
    }
    return user;
  }
  // Verify against a dummy hash for unknown emails, so the answer takes as long either way.
  if (!user) await passwords.verifyNothing(password);
  recordSecurityEvent(em, { type: 'LOGIN_FAILED', userId: user?.id ?? null }, meta, clock.now());
  // Flushed on its own: the caller's work is abandoned, the record of the attempt is not.
  await em.flush();
  throw new AppError('INVALID_CREDENTIALS');
}

export async function authenticateWithPassword(
  em: EntityManager,
  deps: AuthDeps,
  email: string,
  password: string,
  meta: RequestMeta,
): Promise<User> {
  const normalized = normalizeEmail(email);
  const user = await em.findOne(User, { email: normalized });
  return checkPassword(em, deps, normalized, user, password, meta);
}

/** Checks the signed-in user's password; returns the account, hash and all, for what follows. */
export async function confirmCurrentPassword(
  em: EntityManager,
  deps: AuthDeps,
  userId: string,
  password: string,
  meta: RequestMeta,
): Promise<User> {
  const user = await em.findOneOrFail(User, userId);
  return checkPassword(em, deps, user.email, user, password, meta);
}
