// An access token, kept only as the SHA-256 digest of its text.
import { defineEntity, p } from '@mikro-orm/core';
import { Session } from './session.entity.ts';

const AccessTokenSchema = defineEntity({
  name: 'AccessToken',
  tableName: 'access_tokens',
  properties: {
    id: p.uuid().primary(),
    tokenHash: p.string().length(64).unique(),
    session: () => p.manyToOne(Session).deleteRule('cascade').index(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
  },
});

export class AccessToken extends AccessTokenSchema.class {}
AccessTokenSchema.setClass(AccessToken);
