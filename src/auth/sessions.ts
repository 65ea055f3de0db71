// Sessions: one password entry each, and the family of access and refresh tokens it begets.
// Start one, list the live ones, revoke them. What "live" means is liveness.ts's alone.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Session, type User } from '../db/entities/index.ts';
import type { SessionView } from './caller.ts';
import { addSeconds } from './clock.ts';
import { type AuthRequest, noteRevokedSessions } from './deps.ts';
import { liveSessionFilter, unendedSessionSql } from './liveness.ts';
import { type IssuedTokens, issueTokenPair } from './refresh-tokens.ts';
import type { TokenSettings } from './settings.ts';

/**
 * Starts a new session for a password just entered (contract rule 1). Call inside the
 * transaction of the operation that checked the password; the caller records its event.
 */
export function startSession(tx: EntityManager, req: AuthRequest, user: User): IssuedTokens {
  const { clock, settings } = req.deps;
  const now = clock.now();
  const session = tx.create(Session, {
    id: randomUUID(),
    user,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: addSeconds(now, settings.sessionTtlSeconds),
    revokedAt: null,
    revokedReason: null,
    userAgent: req.meta.userAgent,
    ipAddress: req.meta.ipAddress,
  });
  const { pair } = issueTokenPair(tx, settings, session, now);
  return { ...pair, user, session };
}

export function listLiveSessions(req: AuthRequest, userId: string): Promise<Session[]> {
  const { settings, clock } = req.deps;
  return req.em.find(
    Session,
    { user: userId, ...liveSessionFilter(settings, clock.now()) },
    { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
  );
}

/**
 * Revokes every session of the user that is not revoked yet (or just `sessionId`), in one
 * statement, and announces it to every instance's token cache; run it in a
 * revokingTransaction (deps.ts), which waits for them after the commit. Revoking is not
 * limited to live sessions, so that nothing a looser check might still accept escapes it; what
 * it returns is how many of them were live, which is what a person means by "signed out".
 */
export async function revokeSessions(
  tx: EntityManager,
  req: AuthRequest,
  target: { userId: string; sessionId?: string; reason: string },
): Promise<number> {
  const { settings } = req.deps;
  const now = req.deps.clock.now();
  // RETURNING sees the updated row, so "was it live" is asked of its ends alone: it was not
  // revoked, or the WHERE would have skipped it.
  const unended = unendedSessionSql(settings, now);
  const rows = await tx.getConnection().execute<Array<{ was_live: boolean }>>(
    `update sessions set revoked_at = ?, revoked_reason = ?
       where user_id = ? and revoked_at is null${target.sessionId ? ' and id = ?' : ''}
       returning ${unended.sql} as was_live`,
    [
      now,
      target.reason,
      target.userId,
      ...(target.sessionId ? [target.sessionId] : []),
      ...unended.params,
    ],
    'all',
    tx.getTransactionContext(),
  );
  // Every instance must drop what it cached for them before the operation answers.
  await req.deps.revocations.announce(
    tx,
    target.sessionId ? { sessionIds: [target.sessionId] } : { userIds: [target.userId] },
  );
  const live = rows.filter((row) => row.was_live).length;
  noteRevokedSessions(tx, target.reason, live);
  return live;
}

/** A session is fresh while its password was entered less than FRESH_AUTH_SECONDS ago. */
export function isSessionFresh(session: SessionView, settings: TokenSettings, now: Date): boolean {
  return now.getTime() - session.createdAt.getTime() < settings.freshAuthSeconds * 1000;
}

/**
 * Ends every session of `user` and moves its session epoch on, so that no password check made
 * before this commits can start a session after it (credentials.ts). The caller holds the
 * account's row lock (lockAccount or withCheckedPassword), in a revokingTransaction.
 */
export function endAllSessions(
  tx: EntityManager,
  req: AuthRequest,
  { user, reason }: { user: User; reason: string },
): Promise<number> {
  user.sessionEpoch += 1;
  user.updatedAt = req.deps.clock.now();
  return revokeSessions(tx, req, { userId: user.id, reason });
}
