// Guards for fields that need a signed-in caller.
import type { Caller } from '../../auth/revocation.ts';
import { AppError } from '../../errors.ts';
import type { GraphQLContext } from '../context.ts';

export function requireCaller({ viewer }: GraphQLContext): Caller {
  if (viewer.kind === 'authenticated') return { user: viewer.user, session: viewer.session };
  throw new AppError('UNAUTHENTICATED', {
    reason: viewer.kind === 'rejected' ? viewer.reason : 'MISSING',
  });
}
