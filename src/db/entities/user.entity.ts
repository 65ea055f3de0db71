// An account: its normalised email and its argon2 password hash.
import { defineEntity, p } from '@mikro-orm/core';

const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    // Stored trimmed and lower-cased, so the unique index is case-insensitive.
    email: p.string().length(320).unique(),
    passwordHash: p.string().length(255),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
