// Mutation root fields: each reads its arguments and calls one domain function.
import type { IssuedTokens } from '../../auth/refresh-tokens.ts';
import { rotateRefreshToken } from '../../auth/refresh-tokens.ts';
import { logout, revokeAllSessions, revokeSessionById } from '../../auth/revocation.ts';
import { AppError } from '../../errors.ts';
import { changeEmail, changePassword, logIn, signUp } from '../../users/accounts.ts';
import { deleteAccount } from '../../users/lifecycle.ts';
import type { GraphQLContext } from '../context.ts';
import type { MutationResolvers } from '../resolvers.generated.ts';
import { requestOf, requireCaller } from './viewer.ts';

/**
 * From here on the client holds these tokens, so their session is the "current" one. Under the
 * cookie transport the refresh token leaves as the cookie, living as long as the token does
 * (and AuthPayload.refreshToken answers null).
 */
function handOver(ctx: GraphQLContext, tokens: IssuedTokens): IssuedTokens {
  ctx.currentSessionId = tokens.session.id;
  ctx.currentUserId = tokens.user.id;
  const lifetimeMs = tokens.refreshTokenExpiresAt.getTime() - ctx.auth.clock.now().getTime();
  ctx.refreshCookie.set(tokens.refreshToken, lifetimeMs / 1000);
  return tokens;
}

/**
 * A refresh refused because the session is over (revoked, or revoked just now for reuse): the
 * cookie's token can never work again, so the browser drops it.
 */
function endsTheSession(error: unknown): boolean {
  return (
    error instanceof AppError &&
    error.code === 'INVALID_REFRESH_TOKEN' &&
    (error.extensions.reason === 'REVOKED' || error.extensions.reason === 'REUSED')
  );
}

export const Mutation: MutationResolvers = {
  signUp: async (_, { email, password }, ctx) =>
    handOver(ctx, await signUp(requestOf(ctx), { email, password })),
  login: async (_, { email, password }, ctx) =>
    handOver(ctx, await logIn(requestOf(ctx), { email, password })),
  refreshToken: async (_, { refreshToken }, ctx) => {
    // No argument: the cookie, which the HTTP layer reads only under the transport header.
    const presented = refreshToken ?? ctx.refreshCookie.presented;
    if (presented == null) throw new AppError('INVALID_REFRESH_TOKEN', { reason: 'INVALID' });
    try {
      return handOver(ctx, await rotateRefreshToken(requestOf(ctx), presented));
    } catch (error) {
      if (endsTheSession(error)) ctx.refreshCookie.clear();
      throw error;
    }
  },
  logout: async (_, __, ctx) => {
    await logout(requestOf(ctx), requireCaller(ctx));
    ctx.refreshCookie.clear();
    return true;
  },
  revokeSession: async (_, { id, currentPassword }, ctx) => {
    await revokeSessionById(requestOf(ctx), requireCaller(ctx), { sessionId: id, currentPassword });
    return true;
  },
  revokeAllTokens: async (_, { currentPassword }, ctx) => {
    const result = await revokeAllSessions(requestOf(ctx), requireCaller(ctx), { currentPassword });
    // Without a password the caller is signed out too, and its cookie goes with its session.
    if (!result.auth) ctx.refreshCookie.clear();
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
    // Every session is gone, and the cookie's token with it.
    ctx.refreshCookie.clear();
    return true;
  },
};
