// What resolvers hand the domain: the signed-in caller (for fields that need one) and the
// request object every domain operation takes.
import type { Caller } from '../../auth/caller.ts';
import type { AuthRequest } from '../../auth/deps.ts';
import { AppError } from '../../errors.ts';
import type { GraphQLContext } from '../context.ts';

export function requireCaller({ viewer }: GraphQLContext): Caller {
  if (viewer.kind === 'authenticated') return viewer;
  throw new AppError('UNAUTHENTICATED', {
    reason: viewer.kind === 'rejected' ? viewer.reason : 'MISSING',
  });
}

export function requestOf(ctx: GraphQLContext): AuthRequest {
  return { em: ctx.em, deps: ctx.auth, meta: ctx.meta };
}
