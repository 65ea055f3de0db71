// Query root fields: read what the caller may see.
import { listSecurityEvents } from '../../auth/events.ts';
import { listLiveSessions } from '../../auth/sessions.ts';
import type { QueryResolvers } from '../resolvers.generated.ts';
import { requestOf, requireCaller } from './viewer.ts';

export const Query: QueryResolvers = {
  me: (_, __, ctx) => requireCaller(ctx).user,
  sessions: (_, __, ctx) => listLiveSessions(requestOf(ctx), requireCaller(ctx).user.id),
  securityEvents: (_, { first }, ctx) =>
    listSecurityEvents(ctx.em, requireCaller(ctx).user.id, first),
};
