// Access tokens: checked on every authenticated request (the hot path); they are minted with
// their refresh token in refresh-tokens.ts. A token is live while it is unexpired and its
// session is live (liveness.ts). What the database says of a token is cached in-process while
// the revocation bus allows it (revocation-bus.ts), so a warm check makes no query at all.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccessTokenProblem } from '../errors.ts';
import type { SessionView, UserView } from './caller.ts';
import { liveUntilOf } from './liveness.ts';
import { type AuthMetrics, metricsOf } from './metrics-sink.ts';
import type { RevocationBus } from './revocation-bus.ts';
import type { TokenSettings } from './settings.ts';
import type { CachedCheck, TokenCache } from './token-cache.ts';
import { hashToken, isWellFormedToken, TOKEN_LENGTH } from './tokens.ts';

export type AccessTokenResult =
  | { readonly kind: 'valid'; readonly user: UserView; readonly session: SessionView }
  | { readonly kind: 'rejected'; readonly reason: AccessTokenProblem };

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

// The verdicts that carry nothing of their own, shared by every request that gets one.
const INVALID: CachedCheck = Object.freeze({ kind: 'rejected', reason: 'INVALID' });
const REVOKED: CachedCheck = Object.freeze({ kind: 'rejected', reason: 'REVOKED' });
const MALFORMED: AccessTokenResult = Object.freeze({ kind: 'rejected', reason: 'MALFORMED' });
const EXPIRED: AccessTokenResult = Object.freeze({ kind: 'rejected', reason: 'EXPIRED' });

/** What the database holds for a token: a live-looking caller, or a final rejection. */
async function lookUpAccessToken(
  em: EntityManager,
  digest: string,
  settings: TokenSettings,
): Promise<CachedCheck> {
  const pool = await em.getConnection().getNativeClient();
  const { rows } = await pool.query<AccessTokenRow>({ ...VALIDATE_ACCESS_TOKEN, values: [digest] });
  const row = rows[0];
  if (!row) return INVALID;
  // Revocation is final, so it may be remembered; expiry is judged at each use, by `now`.
  if (row.session_revoked) return REVOKED;
  const session: SessionView = {
    id: row.session_id,
    createdAt: new Date(row.session_created_at),
    lastUsedAt: new Date(row.session_last_used_at),
    expiresAt: new Date(row.session_expires_at),
    userAgent: row.session_user_agent,
    ipAddress: row.session_ip_address,
  };
  // Frozen: a cached check is handed to every request that presents the token.
  return Object.freeze({
    kind: 'valid',
    user: Object.freeze({
      id: row.user_id,
      email: row.user_email,
      createdAt: new Date(row.user_created_at),
    }),
    session: Object.freeze(session),
    liveUntil: Math.min(row.token_expires_at, liveUntilOf(session, settings)),
  });
}

/** A check as this request's answer: the check itself (shared, never changed), or EXPIRED. */
function judge(check: CachedCheck, now: Date): AccessTokenResult {
  return check.kind === 'valid' && check.liveUntil <= now.getTime() ? EXPIRED : check;
}

/**
 * Never throws for a bad token; the caller decides what a rejection means. A malformed token
 * costs no query; a token this instance checked before costs none either while its cache is
 * coherent (a cached session's `lastUsedAt` may be older than the database's, which can only
 * end it earlier, never later; with access <= refresh TTL it ends the token first anyway).
 *
 * A cached token is answered synchronously, with no promise: that is the hot path, and it does
 * no more than a length check, a digest, a cache lookup and one comparison of times. Only text
 * of a token's length is hashed. The shape and checksum are checked only on a miss: only a
 * token that passed them was ever filled in, so a digest found in the cache is of such a token.
 */
export function validateAccessToken(
  em: EntityManager,
  raw: string,
  context: {
    settings: TokenSettings;
    now: Date;
    revocations: RevocationBus;
    metrics?: AuthMetrics;
  },
): AccessTokenResult | Promise<AccessTokenResult> {
  if (typeof raw !== 'string' || raw.length !== TOKEN_LENGTH) return MALFORMED;
  const digest = hashToken(raw);
  const metrics = metricsOf(context);
  const cache = context.revocations.servingCache();
  const cached = cache?.get(digest);
  if (cached) {
    metrics.tokenCacheLookup('hit');
    return judge(cached, context.now);
  }
  if (!isWellFormedToken(raw, 'access')) return MALFORMED;
  metrics.tokenCacheLookup(cache ? 'miss' : 'bypass');
  return checkInDatabase(em, digest, cache, context);
}

async function checkInDatabase(
  em: EntityManager,
  digest: string,
  cache: TokenCache | undefined,
  context: { settings: TokenSettings; now: Date },
): Promise<AccessTokenResult> {
  const epoch = cache?.epoch ?? 0;
  const check = await lookUpAccessToken(em, digest, context.settings);
  cache?.fill(digest, check, epoch);
  return judge(check, context.now);
}
