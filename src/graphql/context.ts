// The per-request context: a forked EntityManager and who is asking. Building it never throws
// for a token problem; a bad token makes the request anonymous (contract section 1).
import type { HeaderMap } from '@apollo/server';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { type AccessTokenResult, validateAccessToken } from '../auth/access-tokens.ts';
import type { SessionView, UserView } from '../auth/caller.ts';
import type { AuthDeps, RequestMeta } from '../auth/deps.ts';
import type { UnauthenticatedReason } from '../errors.ts';
import { isDatabaseUnavailable, serviceUnavailableError } from './errors.ts';
import type { RequestSummary } from './request-summary.ts';

export type Viewer =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'rejected'; readonly reason: UnauthenticatedReason }
  | { readonly kind: 'authenticated'; readonly user: UserView; readonly session: SessionView };

/**
 * The refresh-cookie transport of one request (contract section 7), as the HTTP layer read it;
 * the HTTP layer also sends whatever the resolvers set here. Resolvers decide when, never how.
 */
export interface RefreshCookie {
  /** The request carries `X-Tessera-Refresh-Transport: cookie`. */
  readonly requested: boolean;
  /** The refresh token in the request's cookie: read only when `requested`. */
  readonly presented: string | undefined;
  /** Hands `refreshToken` over as the cookie for `maxAgeSeconds`; nothing unless `requested`. */
  set(refreshToken: string, maxAgeSeconds: number): void;
  /** Tells the browser to drop the cookie; nothing unless `requested`. */
  clear(): void;
}

export interface GraphQLContext {
  em: EntityManager;
  auth: AuthDeps;
  viewer: Viewer;
  meta: RequestMeta;
  refreshCookie: RefreshCookie;
  /** The viewer's session, or the one whose tokens this request just handed out. */
  currentSessionId: string | null;
  /** The viewer, or the account whose tokens this request just handed out. */
  currentUserId: string | null;
  /** Filled in as the response is sent, for the request's log line and metrics. */
  summary?: RequestSummary;
}

/** `Bearer <token>`, scheme case-insensitive (RFC 7235); undefined when there is no header. */
export function parseAuthorizationHeader(
  header: string | undefined,
): { kind: 'none' } | { kind: 'malformed' } | { kind: 'bearer'; token: string } {
  if (header === undefined) return { kind: 'none' };
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1] ? { kind: 'bearer', token: match[1] } : { kind: 'malformed' };
}

const ANONYMOUS: Viewer = Object.freeze({ kind: 'anonymous' });
const MALFORMED: Viewer = Object.freeze({ kind: 'rejected', reason: 'MALFORMED' });

function viewerOf(result: AccessTokenResult): Viewer {
  return result.kind === 'valid'
    ? { kind: 'authenticated', user: result.user, session: result.session }
    : { kind: 'rejected', reason: result.reason };
}

/** Who is asking; a promise only when the token's check needs the database (a cache miss). */
export function identifyViewer(
  em: EntityManager,
  auth: AuthDeps,
  authorization: string | undefined,
): Viewer | Promise<Viewer> {
  const parsed = parseAuthorizationHeader(authorization);
  if (parsed.kind === 'none') return ANONYMOUS;
  if (parsed.kind === 'malformed') return MALFORMED;
  const result = validateAccessToken(em, parsed.token, {
    settings: auth.settings,
    now: auth.clock.now(),
    revocations: auth.revocations,
    metrics: auth.metrics,
  });
  return result instanceof Promise ? result.then(viewerOf) : viewerOf(result);
}

/** What the HTTP layer knows about a request that the context needs. */
export interface ContextRequest {
  headers: HeaderMap;
  /** The client's address as the HTTP layer determined it (socket, or trusted proxy). */
  ipAddress: string | null;
  /** Where the request's log line and metrics read what it was (request-summary.ts). */
  summary?: RequestSummary;
  refreshCookie: RefreshCookie;
}

export type ContextFactory = (request: ContextRequest) => Promise<GraphQLContext>;

export function createContextFactory(deps: { orm: MikroORM; auth: AuthDeps }): ContextFactory {
  const { orm, auth } = deps;
  return async ({ headers, ipAddress, refreshCookie, summary }) => {
    const em = orm.em.fork();
    try {
      const identified = identifyViewer(em, auth, headers.get('authorization'));
      // Not awaited when the cache answered: the warm path stays free of promise hops.
      const viewer = identified instanceof Promise ? await identified : identified;
      return {
        em,
        auth,
        viewer,
        meta: { ipAddress, userAgent: headers.get('user-agent')?.slice(0, 512) ?? null },
        currentSessionId: viewer.kind === 'authenticated' ? viewer.session.id : null,
        currentUserId: viewer.kind === 'authenticated' ? viewer.user.id : null,
        summary,
        refreshCookie,
      };
    } catch (error) {
      // Only infrastructure can fail here; token problems are results, not throws.
      if (isDatabaseUnavailable(error)) throw serviceUnavailableError();
      throw error;
    }
  };
}
