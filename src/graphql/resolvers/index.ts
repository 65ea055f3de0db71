// The resolver map: the scalars, then the root and object types.
import type { Resolvers } from '../resolvers.generated.ts';
import { DateTime, EmailAddress } from '../scalars.ts';
import { Mutation } from './mutation.ts';
import { Query } from './query.ts';
import { AuthPayload, SecurityEvent, Session } from './types.ts';

export const resolvers: Resolvers = {
  DateTime,
  EmailAddress,
  Query,
  Mutation,
  AuthPayload,
  Session,
  SecurityEvent,
};
