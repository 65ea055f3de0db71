// An account: its normalised email, its argon2 password hash, and its session epoch.
import { defineEntity, p } from '@mikro-orm/core';

const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    // Stored trimmed and lower-cased, so the unique index is case-insensitive.
    email: p.string().length(320).unique(),
    passwordHash: p.string().length(255),
    // Moved on by every change that ends all sessions; a session may only be started by a
    // password check that read the current value (auth/credentials.ts).
    sessionEpoch: p.integer().default(0),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
