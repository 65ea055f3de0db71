// A single-use refresh token, kept only as the SHA-256 digest of its text. Once spent it keeps
// its successor pair sealed under a key derived from its own text (see auth/successor-seal.ts).
import { defineEntity, p } from '@mikro-orm/core';
import { Session } from './session.entity.ts';

const RefreshTokenSchema = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: p.uuid().primary(),
    tokenHash: p.string().length(64).unique(),
    session: () => p.manyToOne(Session).deleteRule('cascade').index(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    successorId: p.uuid().nullable(),
    successorSeal: p.blob().nullable(),
  },
});

export class RefreshToken extends RefreshTokenSchema.class {}
RefreshTokenSchema.setClass(RefreshToken);
