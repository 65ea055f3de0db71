// Accounts: sign up (or be created by an operator), log in, change email, change password. Each
// credential entry starts a new session (contract rule 1); email and password changes end every
// session first, in the same transaction as the change (auth/credentials.ts says why that
// transaction locks the account).
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { accountOf, type Caller, type UserView } from '../auth/caller.ts';
import { withCheckedPassword } from '../auth/credentials.ts';
import type { AuthRequest } from '../auth/deps.ts';
import { recordSecurityEvent } from '../auth/events.ts';
import { REVOKE_REASONS } from '../auth/liveness.ts';
import { metricsOf, outcomeOfError } from '../auth/metrics-sink.ts';
import { assertPasswordAcceptable } from '../auth/passwords.ts';
import type { IssuedTokens } from '../auth/refresh-tokens.ts';
import { endAllSessions, startSession } from '../auth/sessions.ts';
import { User } from '../db/entities/index.ts';
import { AppError } from '../errors.ts';
import { normalizeEmail } from './email.ts';

async function assertEmailFree(em: EntityManager, email: string): Promise<void> {
  if (await em.count(User, { email })) throw new AppError('EMAIL_IN_USE');
}

/**
 * Spends one of the client's attempts at an address (SIGNUP_MAX_PER_IP): sign-ups and email
 * changes both answer EMAIL_IN_USE, so neither may probe addresses without limit.
 */
async function spendAddressAttempt(req: AuthRequest): Promise<void> {
  const admission = await req.deps.throttle.admitSignUp(req.meta.ipAddress);
  if (!admission.allowed) {
    metricsOf(req.deps).rateLimited(admission.limit);
    throw new AppError('RATE_LIMITED', { retryAfter: admission.retryAfterSeconds });
  }
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
 * Creates an account, refusing a taken address. `admit` runs once the input is valid and before
 * the address is looked at; `inCreation` runs in the transaction that creates it (its session, its
 * event).
 */
async function createAccount<T>(
  req: AuthRequest,
  input: { email: string; password: string },
  steps: {
    admit?: () => Promise<void>;
    inCreation: (tx: EntityManager, user: User, now: Date) => T;
  },
): Promise<T> {
  assertPasswordAcceptable(input.password, 'password');
  const email = normalizeEmail(input.email, 'email');
  await steps.admit?.();
  await assertEmailFree(req.em, email);
  const passwordHash = await req.deps.passwords.hash(input.password);
  return claimingEmail(() =>
    req.em.transactional(async (tx) => {
      const now = req.deps.clock.now();
      const user = tx.create(User, {
        id: randomUUID(),
        email,
        passwordHash,
        sessionEpoch: 0,
        disabledAt: null,
        createdAt: now,
        updatedAt: now,
      });
      return steps.inCreation(tx, user, now);
    }),
  );
}

export function signUp(
  req: AuthRequest,
  input: { email: string; password: string },
): Promise<IssuedTokens> {
  return createAccount(req, input, {
    // Counted before the address is looked at, so EMAIL_IN_USE cannot be probed without limit.
    admit: () => spendAddressAttempt(req),
    inCreation: (tx, user, now) => {
      const issued = startSession(tx, req, user);
      const event = { type: 'SIGNED_UP', userId: user.id, sessionId: issued.session.id } as const;
      recordSecurityEvent(tx, event, req.meta, now);
      return issued;
    },
  });
}

/**
 * An operator creates an account (`tessera users create`): signUp's rules for the address and
 * the password, without a session (the operator is not its owner, so is handed no tokens) and
 * without the per-network sign-up budget, which guards the public API. Recorded as SIGNED_UP
 * with the operator as its actor.
 */
export function createUserByOperator(
  req: AuthRequest,
  input: { email: string; password: string; actor: string; reason?: string | null },
): Promise<UserView> {
  return createAccount(req, input, {
    inCreation: (tx, user, now) => {
      const { actor, reason } = input;
      recordSecurityEvent(tx, { type: 'SIGNED_UP', userId: user.id, actor, reason }, req.meta, now);
      return { id: user.id, email: user.email, createdAt: user.createdAt };
    },
  });
}

export async function logIn(
  req: AuthRequest,
  input: { email: string; password: string },
): Promise<IssuedTokens> {
  const metrics = metricsOf(req.deps);
  try {
    const email = normalizeEmail(input.email, 'email');
    const issued = await withCheckedPassword(req, {
      account: { email },
      password: input.password,
      act: (tx, user) => {
        const issued = startSession(tx, req, user);
        recordSecurityEvent(
          tx,
          { type: 'LOGIN_SUCCEEDED', userId: user.id, sessionId: issued.session.id },
          req.meta,
          req.deps.clock.now(),
        );
        return issued;
      },
    });
    metrics.login('success');
    return issued;
  } catch (error) {
    metrics.login(outcomeOfError(error));
    throw error;
  }
}

/** A sensitive change: the account changes, every session ends, a new one begins for the caller. */
function replaceAllSessions<P>(
  req: AuthRequest,
  caller: Caller,
  change: {
    type: 'EMAIL_CHANGED' | 'PASSWORD_CHANGED';
    currentPassword: string;
    prepare?: () => Promise<P>;
    apply: (tx: EntityManager, user: User, prepared: P) => Promise<void> | void;
  },
): Promise<IssuedTokens> {
  return withCheckedPassword(req, {
    account: accountOf(caller),
    password: change.currentPassword,
    prepare: change.prepare,
    act: async (tx, user, prepared) => {
      await change.apply(tx, user, prepared as P);
      await endAllSessions(tx, req, { user, reason: REVOKE_REASONS[change.type] });
      const issued = startSession(tx, req, user);
      recordSecurityEvent(
        tx,
        { type: change.type, userId: user.id, sessionId: issued.session.id },
        req.meta,
        req.deps.clock.now(),
      );
      return issued;
    },
  });
}

/**
 * Checks the password before anything else, so that EMAIL_IN_USE is told only to the account's
 * owner; and counts each attempt against the client's sign-up budget (SIGNUP_MAX_PER_IP), since
 * the answer reveals whether an address is registered.
 */
export function changeEmail(
  req: AuthRequest,
  caller: Caller,
  input: { newEmail: string; currentPassword: string },
): Promise<IssuedTokens> {
  const newEmail = normalizeEmail(input.newEmail, 'newEmail');
  return claimingEmail(() =>
    replaceAllSessions(req, caller, {
      type: 'EMAIL_CHANGED',
      currentPassword: input.currentPassword,
      prepare: () => spendAddressAttempt(req),
      apply: async (tx, user) => {
        if (newEmail === user.email) {
          throw new AppError(
            'BAD_USER_INPUT',
            { field: 'newEmail' },
            'That is already your email address.',
          );
        }
        await assertEmailFree(tx, newEmail);
        user.email = newEmail;
      },
    }),
  );
}

export function changePassword(
  req: AuthRequest,
  caller: Caller,
  input: { currentPassword: string; newPassword: string },
): Promise<IssuedTokens> {
  assertPasswordAcceptable(input.newPassword, 'newPassword');
  return replaceAllSessions(req, caller, {
    type: 'PASSWORD_CHANGED',
    currentPassword: input.currentPassword,
    // Hashed only once the current password is known right, outside the row lock.
    prepare: () => req.deps.passwords.hash(input.newPassword),
    apply: (_tx, user, passwordHash) => {
      user.passwordHash = passwordHash;
    },
  });
}
