// What an operator does to accounts from outside the API (the CLI, src/cli/): find and list
// them, and lift a lockout. Every change is recorded as a security event of the account, as the
// user's own changes are, so the account's owner sees it in `securityEvents`.
import type pg from 'pg';
import type { AuthRequest } from '../auth/deps.ts';
import { recordSecurityEvent } from '../auth/events.ts';
import { clearPasswordFailures } from '../auth/throttle.ts';
import { User } from '../db/entities/index.ts';
import { normalizeEmail } from './email.ts';

/** The account with that address (compared as stored: trimmed, lower-cased) as it is now, or null. */
export function findAccountByEmail(req: AuthRequest, email: string): Promise<User | null> {
  return req.em.findOne(User, { email: normalizeEmail(email, 'email') }, { refresh: true });
}

/** Accounts in email order, `limit` at a time, after the address `afterEmail` if given. */
export function listAccounts(
  req: AuthRequest,
  page: { limit: number; afterEmail?: string },
): Promise<User[]> {
  const after =
    page.afterEmail === undefined
      ? {}
      : { email: { $gt: normalizeEmail(page.afterEmail, 'after') } };
  return req.em.find(User, after, { orderBy: { email: 'asc' }, limit: page.limit });
}

/**
 * Forgets the failed password checks that lock `email` out (from every network, or with `ip`
 * from that client's network, and that network's own count: throttle.ts), and records
 * RATE_LIMIT_CLEARED on the account, when one has that address and anything was cleared.
 */
export async function liftLockout(
  req: AuthRequest,
  pool: pg.Pool,
  target: { email: string; ip?: string; actor: string; reason?: string | null },
): Promise<{ emailFailures: number; networkFailures: number; account: User | null }> {
  const email = normalizeEmail(target.email, 'email');
  const cleared = await clearPasswordFailures(pool, { email, ip: target.ip });
  const account = await req.em.findOne(User, { email });
  if (account && cleared.emailFailures + cleared.networkFailures > 0) {
    const { actor, reason } = target;
    const event = { type: 'RATE_LIMIT_CLEARED', userId: account.id, actor, reason } as const;
    recordSecurityEvent(req.em, event, req.meta, req.deps.clock.now());
    await req.em.flush();
  }
  return { ...cleared, account };
}
