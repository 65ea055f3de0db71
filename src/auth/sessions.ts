// Sessions and their tokens: issue, validate, rotate, revoke, list. A session is one password
// entry; its access and refresh tokens live and die with it.

import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AccessToken, RefreshToken, Session, type User } from '../db/entities/index.ts';
import { type AccessTokenProblem, AppError, type RefreshTokenProblem } from '../errors.ts';
import { addSeconds, earliest } from './clock.ts';
import { recordSecurityEvent } from './events.ts';
import type { AuthDeps, RequestMeta, TokenSettings } from './settings.ts';
import { openSuccessor, sealSuccessor } from './successor-seal.ts';
import { generateToken, hashToken, isWellFormedToken } from './tokens.ts';

export interface TokenPair {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export interface IssuedTokens extends TokenPair {
  user: User;
  session: Session;
}

/** What a request knows of its caller: plain values, read on the hot path without the ORM. */
export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly createdAt: Date;
}

export interface SessionView {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly expiresAt: Date;
  readonly userAgent?: string | null;
  readonly ipAddress?: string | null;
}

export type AccessTokenResult =
  | { kind: 'valid'; user: UserView; session: SessionView }
  | { kind: 'rejected'; reason: AccessTokenProblem };

export const REVOKE_REASONS = {
  logout: 'LOGOUT',
  revoked: 'REVOKED_BY_USER',
  all: 'ALL_SESSIONS_REVOKED',
  reuse: 'REFRESH_TOKEN_REUSE',
  EMAIL_CHANGED: 'EMAIL_CHANGED',
  PASSWORD_CHANGED: 'PASSWORD_CHANGED',
} as const;

/** Creates an access and a refresh token for `session`; neither outlives it. */
function issueTokenPair(
  em: EntityManager,
  settings: TokenSettings,
  session: Session,
  now: Date,
): { pair: TokenPair; refreshTokenId: string } {
  const accessToken = generateToken('access');
  const refreshToken = generateToken('refresh');
  const accessTokenExpiresAt = earliest(
    addSeconds(now, settings.accessTokenTtlSeconds),
    session.expiresAt,
  );
  const refreshTokenExpiresAt = earliest(
    addSeconds(now, settings.refreshTokenTtlSeconds),
    session.expiresAt,
  );
  em.create(AccessToken, {
    id: randomUUID(),
    tokenHash: hashToken(accessToken),
    session,
    createdAt: now,
    expiresAt: accessTokenExpiresAt,
  });
  const refresh = em.create(RefreshToken, {
    id: randomUUID(),
    tokenHash: hashToken(refreshToken),
    session,
    createdAt: now,
    expiresAt: refreshTokenExpiresAt,
    usedAt: null,
    successorId: null,
    successorSeal: null,
  });
  return {
    pair: { accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt },
    refreshTokenId: refresh.id,
  };
}

/**
 * Starts a new session for a password just entered (contract rule 1). Call inside the
 * transaction of the operation that checked the password; the caller records its event.
 */
export function startSession(
  em: EntityManager,
  deps: AuthDeps,
  user: User,
  meta: RequestMeta,
): IssuedTokens {
  const now = deps.clock.now();
  const session = em.create(Session, {
    id: randomUUID(),
    user,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: addSeconds(now, deps.settings.sessionTtlSeconds),
    revokedAt: null,
    revokedReason: null,
    userAgent: meta.userAgent,
    ipAddress: meta.ipAddress,
  });
  const { pair } = issueTokenPair(em, deps.settings, session, now);
  return { ...pair, user, session };
}

/**
 * The hot path: one indexed query joining token, session and user, and no write. It is a named
 * prepared statement on the ORM's own pool, not an ORM query: PostgreSQL plans it once per
 * connection and no entities are built (about 5x the throughput; see bench/). Times come back
 * as epoch milliseconds, because the ORM's pool hands timestamps over as text.
 */
const VALIDATE_ACCESS_TOKEN = {
  // Versioned: change the name whenever the text changes.
  name: 'tessera.validate-access-token.v1',
  text: `select (extract(epoch from a.expires_at) * 1000)::float8 as token_expires_at,
      s.id as session_id,
      (extract(epoch from s.created_at) * 1000)::float8 as session_created_at,
      (extract(epoch from s.last_used_at) * 1000)::float8 as session_last_used_at,
      (extract(epoch from s.expires_at) * 1000)::float8 as session_expires_at,
      s.revoked_at is not null as session_revoked,
      s.user_agent as session_user_agent,
      s.ip_address as session_ip_address,
      u.id as user_id,
      u.email as user_email,
      (extract(epoch from u.created_at) * 1000)::float8 as user_created_at
    from access_tokens a
    join sessions s on s.id = a.session_id
    join users u on u.id = s.user_id
    where a.token_hash = $1`,
};

interface AccessTokenRow {
  token_expires_at: number;
  session_id: string;
  session_created_at: number;
  session_last_used_at: number;
  session_expires_at: number;
  session_revoked: boolean;
  session_user_agent: string | null;
  session_ip_address: string | null;
  user_id: string;
  user_email: string;
  user_created_at: number;
}

/** Never throws for a bad token; the caller decides what a rejection means. */
export async function validateAccessToken(
  em: EntityManager,
  raw: string,
  now: Date,
): Promise<AccessTokenResult> {
  if (!isWellFormedToken(raw, 'access')) return { kind: 'rejected', reason: 'MALFORMED' };
  const pool = await em.getConnection().getNativeClient();
  const { rows } = await pool.query<AccessTokenRow>({
    ...VALIDATE_ACCESS_TOKEN,
    values: [hashToken(raw)],
  });
  const row = rows[0];
  if (!row) return { kind: 'rejected', reason: 'INVALID' };
  if (row.session_revoked) return { kind: 'rejected', reason: 'REVOKED' };
  const at = now.getTime();
  if (row.token_expires_at <= at || row.session_expires_at <= at) {
    return { kind: 'rejected', reason: 'EXPIRED' };
  }
  return {
    kind: 'valid',
    user: { id: row.user_id, email: row.user_email, createdAt: new Date(row.user_created_at) },
    session: {
      id: row.session_id,
      createdAt: new Date(row.session_created_at),
      lastUsedAt: new Date(row.session_last_used_at),
      expiresAt: new Date(row.session_expires_at),
      userAgent: row.session_user_agent,
      ipAddress: row.session_ip_address,
    },
  };
}

type RotationOutcome =
  | { kind: 'issued'; tokens: IssuedTokens }
  | { kind: 'refused'; reason: RefreshTokenProblem };

function refused(reason: RefreshTokenProblem): RotationOutcome {
  return { kind: 'refused', reason };
}

/**
 * Spends a refresh token for a new pair (rule 4), with the idempotent retry window (rule 5)
 * and reuse detection (rule 6). Race-free: the token's row is locked for the transaction, so
 * concurrent refreshes of one token queue up and every one after the first finds it spent
 * within the window and is handed the same sealed successor.
 */
export async function rotateRefreshToken(
  em: EntityManager,
  deps: AuthDeps,
  raw: string,
  meta: RequestMeta,
): Promise<IssuedTokens> {
  if (!isWellFormedToken(raw, 'refresh')) {
    throw new AppError('INVALID_REFRESH_TOKEN', { reason: 'INVALID' });
  }
  const { clock, settings } = deps;
  const outcome = await em.transactional(async (tx): Promise<RotationOutcome> => {
    const now = clock.now();
    const token = await tx.findOne(
      RefreshToken,
      { tokenHash: hashToken(raw) },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!token) return refused('INVALID');
    const session = await tx.findOneOrFail(Session, token.session.id, { populate: ['user'] });
    const user = session.user;
    if (session.revokedAt) return refused('REVOKED');
    if (session.expiresAt <= now) return refused('EXPIRED');

    if (token.usedAt) {
      const sinceFirstUse = (now.getTime() - token.usedAt.getTime()) / 1000;
      if (sinceFirstUse <= settings.refreshReuseGraceSeconds) {
        // An honest retry or a second tab: the same successor, unless it was spent already,
        // in which case this copy is stale and must not mint anything (nor revoke: rule 5).
        const successor = token.successorId
          ? await tx.findOne(RefreshToken, token.successorId)
          : null;
        const pair = token.successorSeal && openSuccessor<TokenPair>(raw, token.successorSeal);
        if (!successor || successor.usedAt || !pair) return refused('REUSED');
        return {
          kind: 'issued',
          tokens: {
            ...pair,
            accessTokenExpiresAt: new Date(pair.accessTokenExpiresAt),
            refreshTokenExpiresAt: new Date(pair.refreshTokenExpiresAt),
            user,
            session,
          },
        };
      }
      // A spent token after the window: someone holds a copy they should not. The whole
      // family goes, and the owner is told through the security log.
      session.revokedAt = now;
      session.revokedReason = REVOKE_REASONS.reuse;
      recordSecurityEvent(
        tx,
        { type: 'REFRESH_TOKEN_REUSE', userId: user.id, sessionId: session.id },
        meta,
        now,
      );
      return refused('REUSED');
    }
    if (token.expiresAt <= now) return refused('EXPIRED');

    const { pair, refreshTokenId } = issueTokenPair(tx, settings, session, now);
    token.usedAt = now;
    token.successorId = refreshTokenId;
    token.successorSeal = sealSuccessor(raw, pair);
    session.lastUsedAt = now;
    session.userAgent = meta.userAgent;
    session.ipAddress = meta.ipAddress;
    return { kind: 'issued', tokens: { ...pair, user, session } };
  });
  // Thrown only after the transaction committed, so a reuse revocation is never rolled back.
  if (outcome.kind === 'refused') {
    throw new AppError('INVALID_REFRESH_TOKEN', { reason: outcome.reason });
  }
  return outcome.tokens;
}

/** Sessions that can still be used: not revoked, before their absolute and idle ends. */
export function liveSessionsOf(userId: string, settings: TokenSettings, now: Date) {
  return {
    user: userId,
    revokedAt: null,
    expiresAt: { $gt: now },
    lastUsedAt: { $gt: addSeconds(now, -settings.refreshTokenTtlSeconds) },
  };
}

export function listLiveSessions(
  em: EntityManager,
  userId: string,
  settings: TokenSettings,
  now: Date,
): Promise<Session[]> {
  return em.find(Session, liveSessionsOf(userId, settings, now), {
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
}

/** Revokes the user's live sessions (all, or one by id) in a single statement; returns how many. */
export function revokeUserSessions(
  em: EntityManager,
  settings: TokenSettings,
  userId: string,
  reason: string,
  now: Date,
  sessionId?: string,
): Promise<number> {
  const filter = { ...liveSessionsOf(userId, settings, now), ...(sessionId && { id: sessionId }) };
  return em.nativeUpdate(Session, filter, { revokedAt: now, revokedReason: reason });
}

/** A session is fresh while its password was entered less than FRESH_AUTH_SECONDS ago. */
export function isSessionFresh(session: SessionView, settings: TokenSettings, now: Date): boolean {
  return now.getTime() - session.createdAt.getTime() < settings.freshAuthSeconds * 1000;
}
