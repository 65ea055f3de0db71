// Signing out: one session (logout, revokeSession) or all of them (revokeAllTokens).
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../errors.ts';
import { validate as isUuid } from '../uuid.ts';
import { confirmCurrentPassword } from './credentials.ts';
import { recordSecurityEvent } from './events.ts';
import {
  type IssuedTokens,
  isSessionFresh,
  REVOKE_REASONS,
  revokeUserSessions,
  type SessionView,
  startSession,
  type UserView,
} from './sessions.ts';
import type { AuthDeps, RequestMeta } from './settings.ts';

/** The signed-in caller, as the access token check read it. */
export interface Caller {
  user: UserView;
  session: SessionView;
}

export async function logout(
  em: EntityManager,
  deps: AuthDeps,
  caller: Caller,
  meta: RequestMeta,
): Promise<void> {
  const now = deps.clock.now();
  await em.transactional(async (tx) => {
    await revokeUserSessions(
      tx,
      deps.settings,
      caller.user.id,
      REVOKE_REASONS.logout,
      now,
      caller.session.id,
    );
    recordSecurityEvent(
      tx,
      { type: 'SESSION_REVOKED', userId: caller.user.id, sessionId: caller.session.id },
      meta,
      now,
    );
  });
}

/**
 * Revokes one of the caller's sessions. Needs the password, or a session whose password was
 * entered moments ago, so that a stolen access token cannot sign the real user out.
 */
export async function revokeSessionById(
  em: EntityManager,
  deps: AuthDeps,
  caller: Caller,
  sessionId: string,
  currentPassword: string | null | undefined,
  meta: RequestMeta,
): Promise<void> {
  if (currentPassword != null) {
    await confirmCurrentPassword(em, deps, caller.user.id, currentPassword, meta);
  } else if (!isSessionFresh(caller.session, deps.settings, deps.clock.now())) {
    throw new AppError('REAUTHENTICATION_REQUIRED');
  }
  if (!isUuid(sessionId)) throw new AppError('NOT_FOUND');
  const now = deps.clock.now();
  await em.transactional(async (tx) => {
    const revoked = await revokeUserSessions(
      tx,
      deps.settings,
      caller.user.id,
      REVOKE_REASONS.revoked,
      now,
      sessionId,
    );
    if (revoked === 0) throw new AppError('NOT_FOUND');
    recordSecurityEvent(
      tx,
      { type: 'SESSION_REVOKED', userId: caller.user.id, sessionId },
      meta,
      now,
    );
  });
}

/**
 * Revokes every session of the caller. With a correct password a new session begins in the
 * same transaction (rotation on re-entry); without one the caller is signed out too.
 */
export async function revokeAllSessions(
  em: EntityManager,
  deps: AuthDeps,
  caller: Caller,
  currentPassword: string | null | undefined,
  meta: RequestMeta,
): Promise<{ revokedSessionCount: number; auth: IssuedTokens | null }> {
  const user =
    currentPassword != null
      ? await confirmCurrentPassword(em, deps, caller.user.id, currentPassword, meta)
      : null;
  const now = deps.clock.now();
  return em.transactional(async (tx) => {
    const revokedSessionCount = await revokeUserSessions(
      tx,
      deps.settings,
      caller.user.id,
      REVOKE_REASONS.all,
      now,
    );
    const auth = user ? startSession(tx, deps, user, meta) : null;
    recordSecurityEvent(
      tx,
      { type: 'ALL_SESSIONS_REVOKED', userId: caller.user.id, sessionId: auth?.session.id },
      meta,
      now,
    );
    return { revokedSessionCount, auth };
  });
}
