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
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../db/entities/index.ts';
import { AppError } from '../errors.ts';
import { type AuthRequest, revokingTransaction } from './deps.ts';
import { recordSecurityEvent } from './events.ts';

/** How often a check is redone because a committed change overtook it, before giving up. */
const MAX_CHECKS = 3;

/** Whose password is being checked: an email typed at login, or the signed-in caller. */
export type Account = { email: string } | { userId: string; email: string };

class CheckOvertaken extends Error {}

/** Locks the account's row for the rest of the transaction; every epoch change happens under it. */
export function lockAccount(tx: EntityManager, userId: string): Promise<User | null> {
  return tx.findOne(User, userId, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

function loadAccount(em: EntityManager, account: Account): Promise<User | null> {
  return 'userId' in account
    ? em.findOne(User, account.userId, { refresh: true })
    : em.findOne(User, { email: account.email }, { refresh: true });
}

/**
 * Checks `password` for `account` and, if it is right, runs `act` in a transaction holding the
 * account's row lock, with the account exactly as the check saw it. `email` must be normalised.
 */
export async function withCheckedPassword<T>(
  req: AuthRequest,
  account: Account,
  password: string,
  act: (tx: EntityManager, user: User) => Promise<T> | T,
): Promise<T> {
  const { passwords, throttle, clock } = req.deps;
  const admission = await throttle.beginPasswordCheck(account.email, req.meta.ipAddress);
  if (!admission.allowed) {
    throw new AppError('RATE_LIMITED', { retryAfter: admission.retryAfterSeconds });
  }
  const { check } = admission;
  let passwordWasRight = false;
  try {
    for (let round = 1; ; round++) {
      const user = await loadAccount(req.em, account);
      if (!user || !(await passwords.verify(user.passwordHash, password))) {
        // Verify against a dummy hash for unknown emails, so the answer takes as long either way.
        if (!user) await passwords.verifyNothing(password);
        const { limitReached } = await check.failed();
        const userId = user?.id ?? null;
        const now = clock.now();
        recordSecurityEvent(req.em, { type: 'LOGIN_FAILED', userId }, req.meta, now);
        // Once per lockout, when it begins: a flood of refused attempts must not flood the log.
        if (limitReached)
          recordSecurityEvent(req.em, { type: 'RATE_LIMITED', userId }, req.meta, now);
        // Flushed on its own: the caller's work is abandoned, the record of the attempt is not.
        await req.em.flush();
        throw new AppError('INVALID_CREDENTIALS');
      }
      passwordWasRight = true;
      const checkedEpoch = user.sessionEpoch;
      const checkedHash = user.passwordHash;
      const upgradedHash = passwords.needsRehash(checkedHash)
        ? await passwords.hash(password)
        : null;
      try {
        const result = await revokingTransaction(req, async (tx) => {
          const current = await lockAccount(tx, user.id);
          if (!current || current.sessionEpoch !== checkedEpoch) throw new CheckOvertaken();
          // Compare-and-set: a concurrent login may have upgraded it already.
          if (upgradedHash && current.passwordHash === checkedHash) {
            current.passwordHash = upgradedHash;
            current.updatedAt = clock.now();
          }
          return act(tx, current);
        });
        await check.succeeded();
        return result;
      } catch (error) {
        if (!(error instanceof CheckOvertaken)) throw error;
        passwordWasRight = false;
        if (round >= MAX_CHECKS) throw new AppError('SERVICE_UNAVAILABLE');
      }
    }
  } catch (error) {
    if (error instanceof AppError && error.code === 'INVALID_CREDENTIALS') throw error;
    // A right password is settled as such even when what it authorised failed (EMAIL_IN_USE…);
    // anything else decided nothing about the password, so nothing is counted.
    await (passwordWasRight ? check.succeeded() : check.abandoned()).catch(() => {});
    throw error;
  }
}
