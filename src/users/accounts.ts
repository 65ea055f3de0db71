// Accounts: sign up, log in, change email, change password. Each credential entry starts a new
// session (contract rule 1); email and password changes end every session first, in the same
// transaction as the change (auth/credentials.ts says why that transaction locks the account).
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { accountOf, type Caller } from '../auth/caller.ts';
import { withCheckedPassword } from '../auth/credentials.ts';
import type { AuthRequest } from '../auth/deps.ts';
import { recordSecurityEvent } from '../auth/events.ts';
import { REVOKE_REASONS } from '../auth/liveness.ts';
import { assertPasswordAcceptable } from '../auth/passwords.ts';
import type { IssuedTokens } from '../auth/refresh-tokens.ts';
import { endAllSessions, startSession } from '../auth/sessions.ts';
import { User } from '../db/entities/index.ts';
import { AppError } from '../errors.ts';
import { normalizeEmail } from './email.ts';

async function assertEmailFree(req: AuthRequest, email: string): Promise<void> {
  if (await req.em.count(User, { email })) throw new AppError('EMAIL_IN_USE');
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

export async function signUp(
  req: AuthRequest,
  input: { email: string; password: string },
): Promise<IssuedTokens> {
  const { deps, meta } = req;
  assertPasswordAcceptable(input.password, 'password');
  const email = normalizeEmail(input.email, 'email');
  // Counted before the address is looked at, so EMAIL_IN_USE cannot be probed without limit.
  const admission = await deps.throttle.admitSignUp(meta.ipAddress);
  if (!admission.allowed) {
    throw new AppError('RATE_LIMITED', { retryAfter: admission.retryAfterSeconds });
  }
  await assertEmailFree(req, email);
  const passwordHash = await deps.passwords.hash(input.password);
  return claimingEmail(() =>
    req.em.transactional(async (tx) => {
      const now = deps.clock.now();
      const user = tx.create(User, {
        id: randomUUID(),
        email,
        passwordHash,
        sessionEpoch: 0,
        createdAt: now,
        updatedAt: now,
      });
      const issued = startSession(tx, req, user);
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

export function logIn(
  req: AuthRequest,
  input: { email: string; password: string },
): Promise<IssuedTokens> {
  const email = normalizeEmail(input.email, 'email');
  return withCheckedPassword(req, { email }, input.password, (tx, user) => {
    const issued = startSession(tx, req, user);
    recordSecurityEvent(
      tx,
      { type: 'LOGIN_SUCCEEDED', userId: user.id, sessionId: issued.session.id },
      req.meta,
      req.deps.clock.now(),
    );
    return issued;
  });
}

/** A sensitive change: the account changes, every session ends, a new one begins for the caller. */
function replaceAllSessions(
  req: AuthRequest,
  caller: Caller,
  currentPassword: string,
  change: 'EMAIL_CHANGED' | 'PASSWORD_CHANGED',
  apply: (user: User) => void,
): Promise<IssuedTokens> {
  return withCheckedPassword(req, accountOf(caller), currentPassword, async (tx, user) => {
    apply(user);
    await endAllSessions(tx, req, user, REVOKE_REASONS[change]);
    const issued = startSession(tx, req, user);
    recordSecurityEvent(
      tx,
      { type: change, userId: user.id, sessionId: issued.session.id },
      req.meta,
      req.deps.clock.now(),
    );
    return issued;
  });
}

export async function changeEmail(
  req: AuthRequest,
  caller: Caller,
  input: { newEmail: string; currentPassword: string },
): Promise<IssuedTokens> {
  const newEmail = normalizeEmail(input.newEmail, 'newEmail');
  if (newEmail !== caller.user.email) await assertEmailFree(req, newEmail);
  return claimingEmail(() =>
    replaceAllSessions(req, caller, input.currentPassword, 'EMAIL_CHANGED', (user) => {
      if (newEmail === user.email) {
        throw new AppError(
          'BAD_USER_INPUT',
          { field: 'newEmail' },
          'That is already your email address.',
        );
      }
      user.email = newEmail;
    }),
  );
}

export async function changePassword(
  req: AuthRequest,
  caller: Caller,
  input: { currentPassword: string; newPassword: string },
): Promise<IssuedTokens> {
  assertPasswordAcceptable(input.newPassword, 'newPassword');
  const passwordHash = await req.deps.passwords.hash(input.newPassword);
  return replaceAllSessions(req, caller, input.currentPassword, 'PASSWORD_CHANGED', (user) => {
    user.passwordHash = passwordHash;
  });
}
