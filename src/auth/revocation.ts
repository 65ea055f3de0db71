// Signing out: one session (logout, revokeSession) or all of them (revokeAllTokens). Each
// answers only once every instance has dropped the revoked tokens (revokingTransaction).
import { AppError } from '../errors.ts';
import { validate as isUuid } from '../uuid.ts';
import { accountOf, type Caller } from './caller.ts';
import { lockAccount, withCheckedPassword } from './credentials.ts';
import { type AuthRequest, revokingTransaction } from './deps.ts';
import { recordSecurityEvent } from './events.ts';
import { REVOKE_REASONS } from './liveness.ts';
import type { IssuedTokens } from './refresh-tokens.ts';
import { endAllSessions, isSessionFresh, revokeSessions, startSession } from './sessions.ts';

/** Who, other than the account's owner, made a change (an operator), and why: for its event. */
export interface OperatorNote {
  readonly actor: string;
  readonly reason?: string | null;
}

/**
 * Revokes one session of the user and records it, under the account's share lock (every
 * transaction that changes a user's sessions takes that lock first; credentials.ts). False
 * when it was not live to begin with: nothing is recorded then.
 */
async function revokeOneSession(
  tx: AuthRequest['em'],
  req: AuthRequest,
  target: { userId: string; sessionId: string; reason: string; by?: OperatorNote },
): Promise<boolean> {
  await lockAccount(tx, target.userId, 'share');
  if ((await revokeSessions(tx, req, target)) === 0) return false;
  const { userId, sessionId } = target;
  const event = { type: 'SESSION_REVOKED', userId, sessionId, ...target.by } as const;
  recordSecurityEvent(tx, event, req.meta, req.deps.clock.now());
  return true;
}

/** Signs the caller's session out. Sent twice at once, it revokes (and records) once. */
export async function logout(req: AuthRequest, caller: Caller): Promise<void> {
  const target = {
    userId: caller.user.id,
    sessionId: caller.session.id,
    reason: REVOKE_REASONS.LOGOUT,
  };
  await revokingTransaction(req, (tx) => revokeOneSession(tx, req, target));
}

/**
 * An operator revokes one session of an account (`tessera sessions revoke --session`), with no
 * password asked. False when it is not one of that account's live sessions.
 */
export async function revokeSessionOfAccount(
  req: AuthRequest,
  target: { userId: string; sessionId: string; by: OperatorNote },
): Promise<boolean> {
  if (!isUuid(target.sessionId)) return false;
  const one = { ...target, reason: REVOKE_REASONS.SESSION_REVOKED };
  return revokingTransaction(req, (tx) => revokeOneSession(tx, req, one));
}

/**
 * Revokes one of the caller's sessions. Needs the password, or a session whose password was
 * entered moments ago, so that a stolen access token cannot sign the real user out.
 */
export async function revokeSessionById(
  req: AuthRequest,
  caller: Caller,
  input: { sessionId: string; currentPassword?: string | null },
): Promise<void> {
  const { clock, settings } = req.deps;
  const { sessionId, currentPassword } = input;
  const target = { userId: caller.user.id, sessionId, reason: REVOKE_REASONS.SESSION_REVOKED };
  const revokeOne = async (tx: AuthRequest['em']) => {
    if (!isUuid(sessionId) || !(await revokeOneSession(tx, req, target))) {
      throw new AppError('NOT_FOUND');
    }
  };
  if (currentPassword != null) {
    await withCheckedPassword(req, {
      account: accountOf(caller),
      password: currentPassword,
      act: (tx) => revokeOne(tx),
    });
    return;
  }
  if (!isSessionFresh(caller.session, settings, clock.now())) {
    throw new AppError('REAUTHENTICATION_REQUIRED');
  }
  await revokingTransaction(req, revokeOne);
}

/**
 * Revokes every session of the caller. With a correct password a new session begins in the
 * same transaction (rotation on re-entry); without one the caller is signed out too.
 */
export async function revokeAllSessions(
  req: AuthRequest,
  caller: Caller,
  input: { currentPassword?: string | null },
): Promise<{ revokedSessionCount: number; auth: IssuedTokens | null }> {
  const { clock } = req.deps;
  const userId = caller.user.id;
  if (input.currentPassword != null) {
    return withCheckedPassword(req, {
      account: accountOf(caller),
      password: input.currentPassword,
      act: async (tx, user) => {
        const reason = REVOKE_REASONS.ALL_SESSIONS_REVOKED;
        const revokedSessionCount = await endAllSessions(tx, req, { user, reason });
        const auth = startSession(tx, req, user);
        recordSecurityEvent(
          tx,
          { type: 'ALL_SESSIONS_REVOKED', userId, sessionId: auth.session.id },
          req.meta,
          clock.now(),
        );
        return { revokedSessionCount, auth };
      },
    });
  }
  const revokedSessionCount = await signOutEverywhere(req, userId);
  if (revokedSessionCount === null) throw new AppError('UNAUTHENTICATED', { reason: 'REVOKED' });
  return { revokedSessionCount, auth: null };
}

/**
 * Revokes every session of the account without a password and records ALL_SESSIONS_REVOKED:
 * `revokeAllTokens` without one, and an operator's `tessera sessions revoke` (`by`: who, and
 * why, for the event). Returns how many were live, or null when the account is gone.
 */
export function signOutEverywhere(
  req: AuthRequest,
  userId: string,
  by?: OperatorNote,
): Promise<number | null> {
  return revokingTransaction(req, async (tx) => {
    const user = await lockAccount(tx, userId);
    if (!user) return null;
    const reason = REVOKE_REASONS.ALL_SESSIONS_REVOKED;
    const revokedSessionCount = await endAllSessions(tx, req, { user, reason });
    const event = { type: 'ALL_SESSIONS_REVOKED', userId, ...by } as const;
    recordSecurityEvent(tx, event, req.meta, req.deps.clock.now());
    return revokedSessionCount;
  });
}
