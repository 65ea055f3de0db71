// Every password check goes through here: login and each `currentPassword`. One message and,
// as far as argon2 allows, one timing for an unknown email and a wrong password. This is the
// place where failed-attempt throttling belongs.
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../db/entities/index.ts';
import { AppError } from '../errors.ts';
import { normalizeEmail } from '../users/email.ts';
import { recordSecurityEvent } from './events.ts';
import type { AuthDeps, RequestMeta } from './settings.ts';

async function checkPassword(
  em: EntityManager,
  deps: AuthDeps,
  user: User | null,
  password: string,
  meta: RequestMeta,
): Promise<User> {
  if (user && (await deps.passwords.verify(user.passwordHash, password))) return user;
  // Verify against a dummy hash for unknown emails, so the answer takes as long either way.
  if (!user) await deps.passwords.verifyNothing(password);
  recordSecurityEvent(em, { type: 'LOGIN_FAILED', user }, meta, deps.clock.now());
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
  const user = await em.findOne(User, { email: normalizeEmail(email) });
  return checkPassword(em, deps, user, password, meta);
}

export function confirmCurrentPassword(
  em: EntityManager,
  deps: AuthDeps,
  user: User,
  password: string,
  meta: RequestMeta,
): Promise<User> {
  return checkPassword(em, deps, user, password, meta);
}
