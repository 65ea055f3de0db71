// One counted thing of auth/throttle.ts: a password check in flight, a failed one, or a sign-up,
// under the digest of the limit it counts against. It counts until it expires.
import { defineEntity, p } from '@mikro-orm/core';

const RateLimitEntrySchema = defineEntity({
  name: 'RateLimitEntry',
  tableName: 'rate_limit_entries',
  properties: {
    // Hex SHA-256 of the limit's name and what it counts (an email and a client network).
    key: p.string().length(64).primary(),
    attemptId: p.uuid().primary(),
    kind: p.enum(['pending', 'failure', 'signup']),
    expiresAt: p.datetime().index(),
    // Hex SHA-256 of the email alone, on (email, network) entries: `tessera throttle clear`.
    emailKey: p.string().length(64).nullable().index(),
  },
});

export class RateLimitEntry extends RateLimitEntrySchema.class {}
RateLimitEntrySchema.setClass(RateLimitEntry);
