// Refresh tokens: issued with a session, spent by every refresh for a new pair (rule 4), with
// the idempotent retry window (rule 5) and reuse detection (rule 6). A pair (access and
// refresh token) is issued here for a new session and for each rotation.
import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RefreshToken, Session, type User } from '../db/entities/index.ts';
import { AppError, type RefreshTokenProblem } from '../errors.ts';
import { issueAccessToken } from './access-tokens.ts';
import { addSeconds, earliest } from './clock.ts';
import { type AuthRequest, revokingTransaction } from './deps.ts';
import { recordSecurityEvent } from './events.ts';
import { REVOKE_REASONS, sessionState } from './liveness.ts';
import type { TokenSettings } from './settings.ts';
import { openSuccessor, sealSuccessor } from './successor-seal.ts';
import { generateToken, hashToken, isWellFormedToken } from './tokens.ts';

/** Creates a refresh token for `session`; it never outlives the session's absolute end. */
function issueRefreshToken(
  em: EntityManager,
  settings: TokenSettings,
  session: Session,
  now: Date,
): { id: string; refreshToken: string; refreshTokenExpiresAt: Date } {
  const refreshToken = generateToken('refresh');
  const refreshTokenExpiresAt = earliest(
    addSeconds(now, settings.refreshTokenTtlSeconds),
    session.expiresAt,
  );
  const row = em.create(RefreshToken, {
    id: randomUUID(),
    tokenHash: hashToken(refreshToken),
    session,
    createdAt: now,
    expiresAt: refreshTokenExpiresAt,
    usedAt: null,
    successorId: null,
    successorSeal: null,
  });
  return { id: row.id, refreshToken, refreshTokenExpiresAt };
}

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

/** A new access and refresh token for `session`; the refresh token's row id comes along. */
export function issueTokenPair(
  em: EntityManager,
  settings: TokenSettings,
  session: Session,
  now: Date,
): { pair: TokenPair; refreshTokenId: string } {
  const access = issueAccessToken(em, settings, session, now);
  const refresh = issueRefreshToken(em, settings, session, now);
  return {
    pair: {
      ...access,
      refreshToken: refresh.refreshToken,
      refreshTokenExpiresAt: refresh.refreshTokenExpiresAt,
    },
    refreshTokenId: refresh.id,
  };
}

type RotationOutcome =
  | { kind: 'issued'; tokens: IssuedTokens }
  | { kind: 'refused'; reason: RefreshTokenProblem };

function refused(reason: RefreshTokenProblem): RotationOutcome {
  return { kind: 'refused', reason };
}

/**
 * Spends a refresh token for a new pair. Race-free: the token's row is locked for the
 * transaction, so concurrent refreshes of one token queue up and every one after the first
 * finds it spent within the window and is handed the same sealed successor.
 */
export async function rotateRefreshToken(req: AuthRequest, raw: string): Promise<IssuedTokens> {
  if (!isWellFormedToken(raw, 'refresh')) {
    throw new AppError('INVALID_REFRESH_TOKEN', { reason: 'INVALID' });
  }
  const { clock, settings } = req.deps;
  const outcome = await revokingTransaction(req, async (tx): Promise<RotationOutcome> => {
    const now = clock.now();
    const token = await tx.findOne(
      RefreshToken,
      { tokenHash: hashToken(raw) },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!token) return refused('INVALID');
    const session = await tx.findOneOrFail(Session, token.session.id, { populate: ['user'] });
    const user = session.user;
    const state = sessionState({ ...session, revoked: session.revokedAt !== null }, settings, now);
    if (state === 'revoked') return refused('REVOKED');
    if (state === 'expired') return refused('EXPIRED');

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
      session.revokedReason = REVOKE_REASONS.REFRESH_TOKEN_REUSE;
      await req.deps.revocations.announce(tx, { sessionIds: [session.id] });
      recordSecurityEvent(
        tx,
        { type: 'REFRESH_TOKEN_REUSE', userId: user.id, sessionId: session.id },
        req.meta,
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
    session.userAgent = req.meta.userAgent;
    session.ipAddress = req.meta.ipAddress;
    return { kind: 'issued', tokens: { ...pair, user, session } };
  });
  // Thrown only after the transaction committed, so a reuse revocation is never rolled back.
  if (outcome.kind === 'refused') {
    throw new AppError('INVALID_REFRESH_TOKEN', { reason: outcome.reason });
  }
  return outcome.tokens;
}
