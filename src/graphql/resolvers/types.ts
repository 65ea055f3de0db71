// Object type fields computed from the domain's values.
import type {
  AuthPayloadResolvers,
  SecurityEventResolvers,
  SessionResolvers,
} from '../resolvers.generated.ts';

export const AuthPayload: AuthPayloadResolvers = {
  tokenType: () => 'Bearer',
  // Under the cookie transport the token went out as the cookie (handOver), and the body,
  // which page scripts read, never carries it.
  refreshToken: (payload, _, ctx) => (ctx.refreshCookie.requested ? null : payload.refreshToken),
  expiresIn: (payload, _, ctx) =>
    Math.max(
      0,
      Math.round((payload.accessTokenExpiresAt.getTime() - ctx.auth.clock.now().getTime()) / 1000),
    ),
};

export const Session: SessionResolvers = {
  current: (session, _, ctx) => session.id === ctx.currentSessionId,
};

export const SecurityEvent: SecurityEventResolvers = {
  sessionId: (event) => event.sessionId ?? null,
};
