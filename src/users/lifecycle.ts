// An account's life beyond its sessions (contract section 8): deleting it (its owner, with the
// password, or an operator) and disabling or enabling it (an operator). Each ends every session
// through the one revocation path (sessions.ts endAllSessions, in a revokingTransaction), so it
// answers only once no instance accepts the account's tokens.
//
// What keeps a disabled account without a working token: disabling ends every session and moves
// the session epoch under the account's row lock, and no session can begin while it is disabled,
// because the one check every session start goes through (auth/credentials.ts) refuses it. So the
// access-token check needs no test of its own: every session a disabled account has is revoked.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { accountOf, type Caller } from '../auth/caller.ts';
import { lockAccount, withCheckedPassword } from '../auth/credentials.ts';
import { type AuthRequest, revokingTransaction } from '../auth/deps.ts';
import { recordSecurityEvent } from '../auth/events.ts';
import { REVOKE_REASONS } from '../auth/liveness.ts';
import { lockAllRefreshTokens } from '../auth/refresh-tokens.ts';
import { endAllSessions } from '../auth/sessions.ts';
import { User } from '../db/entities/index.ts';
import { AppError } from '../errors.ts';
import { normalizeEmail } from './email.ts';

/** Which account an operator means: its id, or its email address (normalised here). */
export type AccountRef = { readonly userId: string } | { readonly email: string };

/** Who did it and why, recorded on the account's security event. */
export interface OperatorAction {
  readonly account: AccountRef;
  /** The operator (say, the OS user running the CLI); at most 128 characters are kept. */
  readonly actor: string;
  /** At most 512 characters are kept. */
  readonly reason?: string | null;
}

export interface AccountStateChange {
  readonly userId: string;
  /** False when the account already was in that state: nothing was changed or recorded. */
  readonly changed: boolean;
  /** Live sessions ended (disabling only). */
  readonly revokedSessionCount: number;
}

function noSuchAccount(): AppError {
  return new AppError('NOT_FOUND', {}, 'No such account.');
}

/** The account's row, locked for update, or null. */
function lockAccountOf(tx: EntityManager, ref: AccountRef): Promise<User | null> {
  if ('userId' in ref) return lockAccount(tx, ref.userId);
  const email = normalizeEmail(ref.email, 'email');
  return tx.findOne(User, { email }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

/**
 * Ends every session of the locked `user` and erases the account in the same transaction: its
 * row, its sessions and their tokens (by the foreign keys' cascade), and its security events,
 * which would otherwise outlive it with their IP addresses and user agents (the foreign key only
 * nulls their user). Rate-limit entries stay: they are keyed by digests of an address and a
 * network, not by the account, and lapse within a day. Returns how many sessions were live.
 */
async function eraseAccount(tx: EntityManager, req: AuthRequest, user: User): Promise<number> {
  await lockAllRefreshTokens(tx, user.id);
  const revoked = await endAllSessions(tx, req, { user, reason: REVOKE_REASONS.ACCOUNT_DELETED });
  await tx
    .getConnection()
    .execute(
      'delete from security_events where user_id = ?',
      [user.id],
      'run',
      tx.getTransactionContext(),
    );
  tx.remove(user);
  return revoked;
}

/** The owner deletes their account; needs the password, throttled like every password check. */
export async function deleteAccount(
  req: AuthRequest,
  caller: Caller,
  input: { currentPassword: string },
): Promise<void> {
  await withCheckedPassword(req, {
    account: accountOf(caller),
    password: input.currentPassword,
    act: (tx, user) => eraseAccount(tx, req, user),
  });
}

/** An operator deletes an account: no password, the same erasure. */
export function deleteAccountByOperator(
  req: AuthRequest,
  input: { account: AccountRef },
): Promise<{ userId: string; revokedSessionCount: number }> {
  return revokingTransaction(req, async (tx) => {
    const user = await lockAccountOf(tx, input.account);
    if (!user) throw noSuchAccount();
    const userId = user.id;
    return { userId, revokedSessionCount: await eraseAccount(tx, req, user) };
  });
}

/**
 * Disables the account: every session ends (on every instance before this returns), and until
 * it is enabled again a right password gets ACCOUNT_DISABLED. Disabling a disabled account
 * changes nothing.
 */
export function disableAccount(
  req: AuthRequest,
  action: OperatorAction,
): Promise<AccountStateChange> {
  return revokingTransaction(req, async (tx) => {
    const user = await lockAccountOf(tx, action.account);
    if (!user) throw noSuchAccount();
    if (user.disabledAt) return { userId: user.id, changed: false, revokedSessionCount: 0 };
    const now = req.deps.clock.now();
    user.disabledAt = now;
    const reason = REVOKE_REASONS.ACCOUNT_DISABLED;
    const revokedSessionCount = await endAllSessions(tx, req, { user, reason });
    const event = {
      type: 'ACCOUNT_DISABLED',
      userId: user.id,
      actor: action.actor,
      reason: action.reason,
    } as const;
    recordSecurityEvent(tx, event, req.meta, now);
    return { userId: user.id, changed: true, revokedSessionCount };
  });
}

/**
 * Enables a disabled account: its password works again. The sessions that disabling ended stay
 * ended, and so do their tokens.
 */
export function enableAccount(
  req: AuthRequest,
  action: OperatorAction,
): Promise<AccountStateChange> {
  return req.em.transactional(async (tx) => {
    const user = await lockAccountOf(tx, action.account);
    if (!user) throw noSuchAccount();
    if (!user.disabledAt) return { userId: user.id, changed: false, revokedSessionCount: 0 };
    const now = req.deps.clock.now();
    user.disabledAt = null;
    user.updatedAt = now;
    const event = {
      type: 'ACCOUNT_ENABLED',
      userId: user.id,
      actor: action.actor,
      reason: action.reason,
    } as const;
    recordSecurityEvent(tx, event, req.meta, now);
    return { userId: user.id, changed: true, revokedSessionCount: 0 };
  });
}
