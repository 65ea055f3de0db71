// One entry of an account's security log. The session is a plain id, not a foreign key, so
// that events can outlive the sessions they mention.
import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.entity.ts';

export const SECURITY_EVENT_TYPES = [
  'SIGNED_UP',
  'LOGIN_SUCCEEDED',
  'LOGIN_FAILED',
  'RATE_LIMITED',
  'SESSION_REVOKED',
  'ALL_SESSIONS_REVOKED',
  'REFRESH_TOKEN_REUSE',
  'EMAIL_CHANGED',
  'PASSWORD_CHANGED',
  'ACCOUNT_DISABLED',
  'ACCOUNT_ENABLED',
  'RATE_LIMIT_CLEARED',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

const SecurityEventSchema = defineEntity({
  name: 'SecurityEvent',
  tableName: 'security_events',
  indexes: [{ properties: ['user', 'seq'] }],
  properties: {
    id: p.uuid().primary(),
    // Insertion order, to break ties between events of one instant (one transaction records
    // several). Never exposed: ids stay opaque, and event counts private.
    seq: p.bigint().autoincrement(),
    user: () => p.manyToOne(User).nullable(),
    type: p.enum(SECURITY_EVENT_TYPES),
    occurredAt: p.datetime(),
    ipAddress: p.string().length(64).nullable(),
    userAgent: p.string().length(512).nullable(),
    sessionId: p.uuid().nullable(),
    // Who made a change that the account's owner did not (an operator), and why; null for
    // everything the owner did themselves.
    actor: p.string().length(128).nullable(),
    reason: p.string().length(512).nullable(),
  },
});

export class SecurityEvent extends SecurityEventSchema.class {}
SecurityEventSchema.setClass(SecurityEvent);
