// Refresh tokens: issued with a session, spent by every refresh for a new pair (rule 4), with
// the idempotent retry window (rule 5) and reuse detection (rule 6). A pair (access and
// refresh token) is issued here for a new session and for each rotation.
import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AccessToken, RefreshToken, Session } from '../db/entities/index.ts';
import { AppError, type RefreshTokenProblem } from '../errors.ts';
import type { SessionView, UserView } from './caller.ts';
import { addSeconds, earliest } from './clock.ts';
import { type AuthRequest, noteRevokedSessions, revokingTransaction } from './deps.ts';
import { recordSecurityEvent } from './events.ts';
import { liveBounds, liveSessionSql, REVOKE_REASONS, sessionState } from './liveness.ts';
import { metricsOf, type RefreshTokenReuseOutcome } from './metrics-sink.ts';
import type { TokenSettings } from './settings.ts';
import { openSuccessor, sealSuccessor } from './successor-seal.ts';
import { generateToken, hashToken, isWellFormedToken } from './tokens.ts';

export interface TokenPair {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

/** What a credential entry or a refresh hands out: the pair, and whose session it is. */
export interface IssuedTokens extends TokenPair {
  user: UserView;
  session: SessionView;
}

interface MintedRow {
  id: string;
  tokenHash: string;
  expiresAt: Date;
}

/**
 * A new pair, and the rows to store for it (digests only), with each token's own lifetime from
 * `now`; withinSession then ends both no later than their session. With it, the one place token
 * lifetimes are computed. Apart because the refresh fast path seals the pair before the
 * statement that reads the session's end (the statement applies the same bound in SQL).
 */
function mintTokenPair(
  settings: TokenSettings,
  now: Date,
): { pair: TokenPair; access: MintedRow; refresh: MintedRow } {
  const accessToken = generateToken('access');
  const refreshToken = generateToken('refresh');
  const access = {
    id: randomUUID(),
    tokenHash: hashToken(accessToken),
    expiresAt: addSeconds(now, settings.accessTokenTtlSeconds),
  };
  const refresh = {
    id: randomUUID(),
    tokenHash: hashToken(refreshToken),
    expiresAt: addSeconds(now, settings.refreshTokenTtlSeconds),
  };
  return {
    pair: {
      accessToken,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken,
      refreshTokenExpiresAt: refresh.expiresAt,
    },
    access,
    refresh,
  };
}

/** Neither token outlives its session. */
function withinSession(pair: TokenPair, sessionExpiresAt: Date): TokenPair {
  return {
    ...pair,
    accessTokenExpiresAt: earliest(pair.accessTokenExpiresAt, sessionExpiresAt),
    refreshTokenExpiresAt: earliest(pair.refreshTokenExpiresAt, sessionExpiresAt),
  };
}

/** A new access and refresh token for `session`, as entities; the refresh token's id comes along. */
export function issueTokenPair(
  em: EntityManager,
  settings: TokenSettings,
  session: Session,
  now: Date,
): { pair: TokenPair; refreshTokenId: string } {
  const minted = mintTokenPair(settings, now);
  const pair = withinSession(minted.pair, session.expiresAt);
  const { access, refresh } = minted;
  em.create(AccessToken, {
    ...access,
    expiresAt: pair.accessTokenExpiresAt,
    session,
    createdAt: now,
  });
  em.create(RefreshToken, {
    ...refresh,
    expiresAt: pair.refreshTokenExpiresAt,
    session,
    createdAt: now,
    usedAt: null,
    successorId: null,
    successorSeal: null,
  });
  return { pair, refreshTokenId: refresh.id };
}

type RotationOutcome =
  | { kind: 'issued'; tokens: IssuedTokens }
  | { kind: 'refused'; reason: RefreshTokenProblem };

function refused(reason: RefreshTokenProblem): RotationOutcome {
  return { kind: 'refused', reason };
}

/**
 * The common case of a refresh, by hand: an unspent token of a live session, in one statement
 * (one round trip, one transaction), named and prepared like the hot path, and no entities.
 * The UPDATE is a compare-and-set under the row lock it takes: it spends the token only if it is
 * unspent and unexpired and its session live (liveness.ts), and a concurrent refresh of the same
 * token waits for that lock and then finds it spent (PostgreSQL re-checks the condition on the
 * row as committed), so only one of them inserts a pair. The inserts of the new pair and the
 * session's last use hang off the rows the UPDATE returns: nothing spent, nothing written. The
 * final SELECT reads the token as it was before the statement, which tells a refusal's reason.
 * The pair is sealed before its session's end is known, with each token's own lifetime; the
 * stored rows and the answer are bounded by the session's end (withinSession, and `least` here),
 * and so is a retry's copy when the seal is opened. Anything else (a spent token: the retry
 * window or reuse) is left to rotateSpentRefreshToken, under its row lock.
 */
const ROTATION = {
  name: 'tessera.rotation.v2',
  text: `with spend as (
      update refresh_tokens rt set used_at = $2, successor_id = $7, successor_seal = $12
        from sessions s
        where rt.token_hash = $1 and rt.used_at is null and rt.expires_at > $2
          and s.id = rt.session_id and ${liveSessionSql('s', { now: 2, lastUsedAfter: 3 })}
        returning rt.session_id, s.expires_at as session_expires_at
    ), new_access as (
      insert into access_tokens (id, token_hash, session_id, created_at, expires_at)
        select $4, $5, session_id, $2, least($6::timestamptz, session_expires_at) from spend
    ), new_refresh as (
      insert into refresh_tokens (id, token_hash, session_id, created_at, expires_at)
        select $7, $8, session_id, $2, least($9::timestamptz, session_expires_at) from spend
    ), session_used as (
      update sessions set last_used_at = $2, user_agent = $10, ip_address = $11
        from spend where sessions.id = spend.session_id
    )
    select exists (select 1 from spend) as rotated,
      rt.used_at is not null as spent,
      (extract(epoch from rt.expires_at) * 1000)::float8 as expires_at,
      s.id as session_id, s.revoked_at is not null as session_revoked,
      (extract(epoch from s.created_at) * 1000)::float8 as session_created_at,
      (extract(epoch from s.last_used_at) * 1000)::float8 as session_last_used_at,
      (extract(epoch from s.expires_at) * 1000)::float8 as session_expires_at,
      u.id as user_id, u.email as user_email,
      (extract(epoch from u.created_at) * 1000)::float8 as user_created_at
    from refresh_tokens rt
    join sessions s on s.id = rt.session_id
    join users u on u.id = s.user_id
    where rt.token_hash = $1`,
};

interface RotationRow {
  rotated: boolean;
  spent: boolean;
  expires_at: number;
  session_id: string;
  session_revoked: boolean;
  session_created_at: number;
  session_last_used_at: number;
  session_expires_at: number;
  user_id: string;
  user_email: string;
  user_created_at: number;
}

async function rotateUnspentRefreshToken(
  req: AuthRequest,
  raw: string,
): Promise<RotationOutcome | { kind: 'spent' }> {
  const { clock, settings } = req.deps;
  const pool = await req.em.getConnection().getNativeClient();
  const now = clock.now();
  const { lastUsedAfter } = liveBounds(settings, now);
  // Minted and sealed before it is known whether the token may be spent: a refusal wastes them
  // (nothing is stored), the common case saves a round trip.
  const { pair, access, refresh } = mintTokenPair(settings, now);
  const { userAgent, ipAddress } = req.meta;
  const { rows } = await pool.query<RotationRow>({
    ...ROTATION,
    values: [
      hashToken(raw),
      now,
      lastUsedAfter,
      access.id,
      access.tokenHash,
      access.expiresAt,
      refresh.id,
      refresh.tokenHash,
      refresh.expiresAt,
      userAgent,
      ipAddress,
      sealSuccessor(raw, pair),
    ],
  });
  const row = rows[0];
  if (!row) return refused('INVALID');
  const session = {
    id: row.session_id,
    createdAt: new Date(row.session_created_at),
    lastUsedAt: new Date(row.session_last_used_at),
    expiresAt: new Date(row.session_expires_at),
  };
  if (!row.rotated) {
    // Why not, from the token as it was: the reasons are decided by the same rule as before.
    const state = sessionState({ ...session, revoked: row.session_revoked }, settings, now);
    if (state === 'revoked') return refused('REVOKED');
    if (state === 'expired') return refused('EXPIRED');
    if (row.spent) return { kind: 'spent' };
    if (row.expires_at <= now.getTime()) return refused('EXPIRED');
    // Unspent and live as this statement saw it, yet not spent by it: a concurrent refresh of
    // the same token spent it first (and committed) while this one waited for the row lock.
    return { kind: 'spent' };
  }
  return {
    kind: 'issued',
    tokens: {
      ...withinSession(pair, session.expiresAt),
      user: { id: row.user_id, email: row.user_email, createdAt: new Date(row.user_created_at) },
      session: { ...session, lastUsedAt: now, userAgent, ipAddress },
    },
  };
}

/**
 * Spends a refresh token for a new pair. Race-free: the token's row is locked for the
 * transaction, so concurrent refreshes of one token queue up and every one after the first
 * finds it spent within the window and is handed the same sealed successor.
 */
export async function rotateRefreshToken(req: AuthRequest, raw: string): Promise<IssuedTokens> {
  const metrics = metricsOf(req.deps);
  let outcome: RotationOutcome;
  try {
    outcome = isWellFormedToken(raw, 'refresh')
      ? await rotateWellFormedRefreshToken(req, raw)
      : refused('INVALID');
  } catch (error) {
    metrics.refresh('error');
    throw error;
  }
  // Thrown only after the transaction committed, so a reuse revocation is never rolled back.
  if (outcome.kind === 'refused') {
    metrics.refresh(outcome.reason.toLowerCase() as Lowercase<RefreshTokenProblem>);
    throw new AppError('INVALID_REFRESH_TOKEN', { reason: outcome.reason });
  }
  metrics.refresh('success');
  return outcome.tokens;
}

async function rotateWellFormedRefreshToken(
  req: AuthRequest,
  raw: string,
): Promise<RotationOutcome> {
  const first = await rotateUnspentRefreshToken(req, raw);
  return first.kind === 'spent' ? rotateSpentRefreshToken(req, raw) : first;
}

/**
 * A spent token: within the retry window the same successor (rule 5), after it reuse, and the
 * whole session goes (rule 6). Rare, so the ORM's way; the row lock orders it as above.
 */
async function rotateSpentRefreshToken(req: AuthRequest, raw: string): Promise<RotationOutcome> {
  const { clock, settings } = req.deps;
  // Reported once the transaction has committed: a rolled-back one decided nothing.
  let reuse: RefreshTokenReuseOutcome | undefined;
  const outcome = await revokingTransaction(req, async (tx): Promise<RotationOutcome> => {
    reuse = undefined;
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
    // Spent is final: nothing ever clears used_at.
    const usedAt = token.usedAt as Date;
    const sinceFirstUse = (now.getTime() - usedAt.getTime()) / 1000;
    if (sinceFirstUse <= settings.refreshReuseGraceSeconds) {
      // An honest retry or a second tab: the same successor, unless it was spent already,
      // in which case this copy is stale and must not mint anything (nor revoke: rule 5).
      const successor = token.successorId
        ? await tx.findOne(RefreshToken, token.successorId)
        : null;
      const pair = token.successorSeal && openSuccessor<TokenPair>(raw, token.successorSeal);
      if (!successor || successor.usedAt || !pair) {
        reuse = 'retry_refused';
        return refused('REUSED');
      }
      reuse = 'retry_answered';
      // The fast path seals each token's own lifetime; bounded by the session as it was issued.
      const sealed = {
        ...pair,
        accessTokenExpiresAt: new Date(pair.accessTokenExpiresAt),
        refreshTokenExpiresAt: new Date(pair.refreshTokenExpiresAt),
      };
      return {
        kind: 'issued',
        tokens: {
          ...withinSession(sealed, session.expiresAt),
          user,
          session,
        },
      };
    }
    // A spent token after the window: someone holds a copy they should not. The whole
    // family goes, and the owner is told through the security log.
    session.revokedAt = now;
    session.revokedReason = REVOKE_REASONS.REFRESH_TOKEN_REUSE;
    reuse = 'session_revoked';
    noteRevokedSessions(tx, REVOKE_REASONS.REFRESH_TOKEN_REUSE, 1);
    await req.deps.revocations.announce(tx, { sessionIds: [session.id] });
    recordSecurityEvent(
      tx,
      { type: 'REFRESH_TOKEN_REUSE', userId: user.id, sessionId: session.id },
      req.meta,
      now,
    );
    return refused('REUSED');
  });
  if (reuse) metricsOf(req.deps).refreshTokenReuse(reuse);
  return outcome;
}

/**
 * Row-locks every refresh token of the user's sessions, for a transaction that will delete them
 * (erasing an account). A refresh locks its token first and its session after (the inserts'
 * foreign keys, then `last_used_at`), while deleting a session locks it first and its tokens
 * after: without this, a refresh and an erasure deadlock. So the eraser takes the tokens first,
 * as a refresh does, waiting out the refreshes in flight; and again until no new one appears,
 * since a refresh it waited for committed a successor its statement could not see. Once the
 * set is closed, every refresh of these sessions queues on a token row before touching a session,
 * and finds its token gone when it gets it.
 */
export async function lockAllRefreshTokens(tx: EntityManager, userId: string): Promise<void> {
  let locked = -1;
  for (;;) {
    const rows = await tx.getConnection().execute<Array<{ id: string }>>(
      `select rt.id from refresh_tokens rt join sessions s on s.id = rt.session_id
         where s.user_id = ? for update of rt`,
      [userId],
      'all',
      tx.getTransactionContext(),
    );
    // Tokens are only ever added while their parent is locked, so an unchanged count is a closed set.
    if (rows.length === locked) return;
    locked = rows.length;
  }
}
