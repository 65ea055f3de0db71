// Mutation root fields: each reads its arguments and calls one domain function.
import { logout, revokeAllSessions, revokeSessionById } from '../../auth/revocation.ts';
import { type IssuedTokens, rotateRefreshToken } from '../../auth/sessions.ts';
import { changeEmail, changePassword, logIn, signUp } from '../../users/accounts.ts';
import type { GraphQLContext } from '../context.ts';
import type { MutationResolvers } from '../resolvers.generated.ts';
import { requireCaller } from './viewer.ts';

/** From here on the client holds these tokens, so their session is the "current" one. */
function handOver(ctx: GraphQLContext, tokens: IssuedTokens): IssuedTokens {
  ctx.currentSessionId = tokens.session.id;
  return tokens;
}

export const Mutation: MutationResolvers = {
  signUp: async (_, { email, password }, ctx) =>
    handOver(ctx, await signUp(ctx.em, ctx.auth, email, password, ctx.meta)),
  login: async (_, { email, password }, ctx) =>
    handOver(ctx, await logIn(ctx.em, ctx.auth, email, password, ctx.meta)),
  refreshToken: async (_, { refreshToken }, ctx) =>
    handOver(ctx, await rotateRefreshToken(ctx.em, ctx.auth, refreshToken, ctx.meta)),
  logout: async (_, __, ctx) => {
    await logout(ctx.em, ctx.auth, requireCaller(ctx), ctx.meta);
    return true;
  },
  revokeSession: async (_, { id, currentPassword }, ctx) => {
    await revokeSessionById(ctx.em, ctx.auth, requireCaller(ctx), id, currentPassword, ctx.meta);
    return true;
  },
  revokeAllTokens: async (_, { currentPassword }, ctx) => {
    const result = await revokeAllSessions(
      ctx.em,
      ctx.auth,
      requireCaller(ctx),
      currentPassword,
      ctx.meta,
    );
    return { ...result, auth: result.auth && handOver(ctx, result.auth) };
  },
  changeEmail: async (_, { newEmail, currentPassword }, ctx) =>
    handOver(
      ctx,
      await changeEmail(ctx.em, ctx.auth, requireCaller(ctx), newEmail, currentPassword, ctx.meta),
    ),
  changePassword: async (_, { currentPassword, newPassword }, ctx) =>
    handOver(
      ctx,
      await changePassword(
        ctx.em,
        ctx.auth,
        requireCaller(ctx),
        currentPassword,
        newPassword,
        ctx.meta,
      ),
    ),
};
