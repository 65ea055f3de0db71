// Mutation root fields: each reads its arguments and calls one domain function.
import type { IssuedTokens } from '../../auth/refresh-tokens.ts';
import { rotateRefreshToken } from '../../auth/refresh-tokens.ts';
import { logout, revokeAllSessions, revokeSessionById } from '../../auth/revocation.ts';
import { changeEmail, changePassword, logIn, signUp } from '../../users/accounts.ts';
import { deleteAccount } from '../../users/lifecycle.ts';
import type { GraphQLContext } from '../context.ts';
import type { MutationResolvers } from '../resolvers.generated.ts';
import { requestOf, requireCaller } from './viewer.ts';

/** From here on the client holds these tokens, so their session is the "current" one. */
function handOver(ctx: GraphQLContext, tokens: IssuedTokens): IssuedTokens {
  ctx.currentSessionId = tokens.session.id;
  return tokens;
}

export const Mutation: MutationResolvers = {
  signUp: async (_, { email, password }, ctx) =>
    handOver(ctx, await signUp(requestOf(ctx), { email, password })),
  login: async (_, { email, password }, ctx) =>
    handOver(ctx, await logIn(requestOf(ctx), { email, password })),
  refreshToken: async (_, { refreshToken }, ctx) =>
    handOver(ctx, await rotateRefreshToken(requestOf(ctx), refreshToken)),
  logout: async (_, __, ctx) => {
    await logout(requestOf(ctx), requireCaller(ctx));
    return true;
  },
  revokeSession: async (_, { id, currentPassword }, ctx) => {
    await revokeSessionById(requestOf(ctx), requireCaller(ctx), { sessionId: id, currentPassword });
    return true;
  },
  revokeAllTokens: async (_, { currentPassword }, ctx) => {
    const result = await revokeAllSessions(requestOf(ctx), requireCaller(ctx), { currentPassword });
    return { ...result, auth: result.auth && handOver(ctx, result.auth) };
  },
  changeEmail: async (_, { newEmail, currentPassword }, ctx) =>
    handOver(
      ctx,
      await changeEmail(requestOf(ctx), requireCaller(ctx), { newEmail, currentPassword }),
    ),
  changePassword: async (_, { currentPassword, newPassword }, ctx) =>
    handOver(
      ctx,
      await changePassword(requestOf(ctx), requireCaller(ctx), { currentPassword, newPassword }),
    ),
  deleteAccount: async (_, { currentPassword }, ctx) => {
    await deleteAccount(requestOf(ctx), requireCaller(ctx), { currentPassword });
    return true;
  },
};
