// Every password check goes through here: login and each `currentPassword`. It is throttled
// (throttle.ts), answers an unknown email and a wrong password alike, upgrades a hash made
// with outdated parameters, and guarantees that what follows a check acts on the account as
// the check saw it.
//
// The check (argon2, ~20 ms) runs outside any transaction; what it authorises runs after it,
// in a transaction that first locks the account's row and confirms its session epoch is the
// one the check read. Every change that ends all sessions (password, email, sign out
// everywhere) bumps that epoch under the same lock. So a login that checked the old password
// cannot start a session after a password change has committed: it finds the epoch moved and
// checks again, against the account as it now is (where the old password fails). Without
// this, a login in flight survived the owner's "kick them out" password change, and a rehash
// on login could write the old password back over a new one.
import { ForeignKeyConstraintViolationException, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../db/entities/index.ts';
import { AppError, WRONG_CURRENT_PASSWORD_MESSAGE } from '../errors.ts';
import { type AuthRequest, revokingTransaction } from './deps.ts';
import { recordSecurityEvent } from './events.ts';
import { metricsOf } from './metrics-sink.ts';

/** How often a check is redone because a committed change overtook it, before giving up. */
const MAX_CHECKS = 3;

/** Whose password is being checked: an email typed at login, or the signed-in caller. */
export type Account = { email: string } | { userId: string; email: string };

export interface PasswordCheck<T, P> {
  /** `email` normalised. */
  readonly account: Account;
  readonly password: string;
  /**
   * Work that needs a right password but no lock (hashing a new password): done once, after
   * the check and before the transaction, so a wrong or refused attempt never pays for it.
   */
  readonly prepare?: () => Promise<P>;
  /** What the password authorises, in the transaction that holds the account's row lock. */
  readonly act: (tx: EntityManager, user: User, prepared: P) => Promise<T> | T;
}

class CheckOvertaken extends Error {}

/**
 * Records a wrong password (and the lockout it began, if it did), on its own: the caller's work
 * is abandoned, the record of the attempt is not. If the account was deleted meanwhile, the
 * attempt is recorded as one at an unknown address, like every attempt at a free address.
 */
async function recordFailedCheck(
  req: AuthRequest,
  userId: string | null,
  limitReached: boolean,
): Promise<void> {
  const record = (em: EntityManager, id: string | null) => {
    const now = req.deps.clock.now();
    recordSecurityEvent(em, { type: 'LOGIN_FAILED', userId: id }, req.meta, now);
    // Once per lockout, when it begins: a flood of refused attempts must not flood the log.
    if (limitReached) recordSecurityEvent(em, { type: 'RATE_LIMITED', userId: id }, req.meta, now);
    return em.flush();
  };
  try {
    await record(req.em.fork(), userId);
  } catch (error) {
    if (!(userId && error instanceof ForeignKeyConstraintViolationException)) throw error;
    await record(req.em.fork(), null);
  }
}

/**
 * Locks the account's row for the rest of the transaction. `update` for a change of the
 * account or its epoch; `share` for work that touches its sessions only (logout), so that it
 * queues behind an epoch change instead of deadlocking with it: every transaction that changes
 * a user's sessions takes this lock first.
 */
export function lockAccount(
  tx: EntityManager,
  userId: string,
  mode: 'update' | 'share' = 'update',
): Promise<User | null> {
  const lockMode = mode === 'update' ? LockMode.PESSIMISTIC_WRITE : LockMode.PESSIMISTIC_READ;
  return tx.findOne(User, userId, { lockMode, refresh: true });
}

function loadAccount(em: EntityManager, account: Account): Promise<User | null> {
  return 'userId' in account
    ? em.findOne(User, account.userId)
    : em.findOne(User, { email: account.email });
}

/**
 * Checks the password and, if it is right, runs `act` in a transaction holding the account's
 * row lock, with the account exactly as the check saw it.
 */
export async function withCheckedPassword<T, P = undefined>(
  req: AuthRequest,
  { account, password, prepare, act }: PasswordCheck<T, P>,
): Promise<T> {
  const { passwords, throttle, clock } = req.deps;
  const admission = await throttle.beginPasswordCheck(account.email, req.meta.ipAddress);
  if (!admission.allowed) {
    metricsOf(req.deps).rateLimited(admission.limit);
    throw new AppError('RATE_LIMITED', { retryAfter: admission.retryAfterSeconds });
  }
  const { check } = admission;
  // Settled exactly once, by what was learnt of the password: a wrong one is counted (or, if
  // the count cannot be written, left pending, never given back), a right one is given back,
  // and an attempt that learnt nothing is abandoned.
  let verdict: 'unknown' | 'right' | 'wrong' = 'unknown';
  let prepared: { value: P } | undefined;
  try {
    for (let round = 1; ; round++) {
      // Read on a fork: a transaction that failed after changing the account must not leave
      // that change in the request's identity map for a later flush to write.
      const user = await loadAccount(req.em.fork(), account);
      const right = user !== null && (await passwords.verify(user.passwordHash, password));
      // Verify against a dummy hash for unknown emails, so the answer takes as long either way.
      if (!user) await passwords.verifyNothing(password);
      if (!user || !right) {
        verdict = 'wrong';
        const { limitReached } = await check.failed();
        await recordFailedCheck(req, user?.id ?? null, limitReached);
        // Signed in, only the password can be wrong; at login, the answer must not say which.
        throw 'userId' in account
          ? new AppError('INVALID_CREDENTIALS', {}, WRONG_CURRENT_PASSWORD_MESSAGE)
          : new AppError('INVALID_CREDENTIALS');
      }
      verdict = 'right';
      prepared ??= { value: prepare ? await prepare() : (undefined as P) };
      const checkedEpoch = user.sessionEpoch;
      const checkedHash = user.passwordHash;
      const upgradedHash = passwords.needsRehash(checkedHash)
        ? await passwords.hash(password)
        : null;
      const outcome = await revokingTransaction(req, async (tx) => {
        const current = await lockAccount(tx, user.id);
        if (!current || current.sessionEpoch !== checkedEpoch) throw new CheckOvertaken();
        // Only now, after a right password: told to a guesser, the code would confirm the
        // account, and a wrong password must stay INVALID_CREDENTIALS and counted. Disabling
        // moves the epoch, so a check that raced it is redone and ends here too.
        if (current.disabledAt) throw new AppError('ACCOUNT_DISABLED');
        // Compare-and-set: a concurrent login may have upgraded it already.
        if (upgradedHash && current.passwordHash === checkedHash) {
          current.passwordHash = upgradedHash;
          current.updatedAt = clock.now();
        }
        return { value: await act(tx, current, (prepared as { value: P }).value) };
      }).catch((error: unknown) => {
        if (error instanceof CheckOvertaken) return undefined;
        throw error;
      });
      if (outcome) {
        // Committed: the answer is the outcome, whether or not the give-back gets written
        // (an unsettled check lapses by itself).
        await check.succeeded().catch(() => {});
        return outcome.value;
      }
      // Overtaken by a committed change: check again, against the account as it now is.
      verdict = 'unknown';
      if (round >= MAX_CHECKS) throw new AppError('SERVICE_UNAVAILABLE');
    }
  } catch (error) {
    // A right password is settled as such even when what it authorised failed (EMAIL_IN_USE…).
    // Not awaited: when the database is what failed, settling would only add its timeouts to
    // the answer, and an unsettled check lapses by itself.
    if (verdict === 'right') void check.succeeded().catch(() => {});
    if (verdict === 'unknown') void check.abandoned().catch(() => {});
    throw error;
  }
}
