// Accounts: sign up, log in, change email, change password. Each credential entry starts a new
// session (contract rule 1); email and password changes revoke every other session first.

import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { authenticateWithPassword, confirmCurrentPassword } from '../auth/credentials.ts';
import { recordSecurityEvent } from '../auth/events.ts';
import { assertPasswordAcceptable } from '../auth/passwords.ts';
import type { Caller } from '../auth/revocation.ts';
import {
  type IssuedTokens,
  REVOKE_REASONS,
  revokeUserSessions,
  startSession,
} from '../auth/sessions.ts';
import type { AuthDeps, RequestMeta } from '../auth/settings.ts';
import { User } from '../db/entities/index.ts';
import { AppError } from '../errors.ts';
import { normalizeEmail } from './email.ts';

async function assertEmailFree(em: EntityManager, email: string): Promise<void> {
  if (await em.count(User, { email })) throw new AppError('EMAIL_IN_USE');
}

/** Two requests racing for one address: the unique index decides, and the loser hears why. */
async function claimingEmail<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new AppError('EMAIL_IN_USE');
    throw error;
  }
}

/**
 * A sensitive change, all in one transaction: the account changes, every session of it is
 * revoked (the caller's too), and a new session begins for the caller.
 */
function replaceAllSessions(
  em: EntityManager,
  deps: AuthDeps,
  userId: string,
  change: 'EMAIL_CHANGED' | 'PASSWORD_CHANGED',
  meta: RequestMeta,
  apply: (user: User) => void,
): Promise<IssuedTokens> {
  return em.transactional(async (tx) => {
    const now = deps.clock.now();
    const user = await tx.findOneOrFail(User, userId);
    apply(user);
    user.updatedAt = now;
    await revokeUserSessions(tx, deps.settings, user.id, REVOKE_REASONS[change], now);
    const issued = startSession(tx, deps, user, meta);
    recordSecurityEvent(
      tx,
      { type: change, userId: user.id, sessionId: issued.session.id },
      meta,
      now,
    );
    return issued;
  });
}

export async function signUp(
  em: EntityManager,
  deps: AuthDeps,
  email: string,
  password: string,
  meta: RequestMeta,
): Promise<IssuedTokens> {
  assertPasswordAcceptable(password, 'password');
  const normalized = normalizeEmail(email);
  await assertEmailFree(em, normalized);
  const passwordHash = await deps.passwords.hash(password);
  return claimingEmail(() =>
    em.transactional(async (tx) => {
      const now = deps.clock.now();
      const user = tx.create(User, {
        id: randomUUID(),
        email: normalized,
        passwordHash,
        createdAt: now,
        updatedAt: now,
      });
      const issued = startSession(tx, deps, user, meta);
      recordSecurityEvent(
        tx,
        { type: 'SIGNED_UP', userId: user.id, sessionId: issued.session.id },
        meta,
        now,
      );
      return issued;
    }),
  );
}

export async function logIn(
  em: EntityManager,
  deps: AuthDeps,
  email: string,
  password: string,
  meta: RequestMeta,
): Promise<IssuedTokens> {
  const user = await authenticateWithPassword(em, deps, email, password, meta);
  return em.transactional(async (tx) => {
    const issued = startSession(tx, deps, user, meta);
    recordSecurityEvent(
      tx,
      { type: 'LOGIN_SUCCEEDED', userId: user.id, sessionId: issued.session.id },
      meta,
      deps.clock.now(),
    );
    return issued;
  });
}

export async function changeEmail(
  em: EntityManager,
  deps: AuthDeps,
  caller: Caller,
  newEmail: string,
  currentPassword: string,
  meta: RequestMeta,
): Promise<IssuedTokens> {
  const normalized = normalizeEmail(newEmail);
  const current = await confirmCurrentPassword(em, deps, caller.user.id, currentPassword, meta);
  if (normalized === current.email) {
    throw new AppError(
      'BAD_USER_INPUT',
      { field: 'newEmail' },
      'That is already your email address.',
    );
  }
  await assertEmailFree(em, normalized);
  return claimingEmail(() =>
    replaceAllSessions(em, deps, current.id, 'EMAIL_CHANGED', meta, (user) => {
      user.email = normalized;
    }),
  );
}

export async function changePassword(
  em: EntityManager,
  deps: AuthDeps,
  caller: Caller,
  currentPassword: string,
  newPassword: string,
  meta: RequestMeta,
): Promise<IssuedTokens> {
  assertPasswordAcceptable(newPassword, 'newPassword');
  await confirmCurrentPassword(em, deps, caller.user.id, currentPassword, meta);
  const passwordHash = await deps.passwords.hash(newPassword);
  return replaceAllSessions(em, deps, caller.user.id, 'PASSWORD_CHANGED', meta, (user) => {
    user.passwordHash = passwordHash;
  });
}
