// An account: its normalised email, its argon2 password hash, its session epoch, and whether an
// operator has disabled it.
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
    // Set while an operator has disabled the account (users/lifecycle.ts): no password check
    // then authorises anything, and disabling revoked every session it had.
    disabledAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
