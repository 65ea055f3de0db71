// The security log: every event is written in the same transaction as the change it records.

import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SecurityEvent, type SecurityEventType, User } from '../db/entities/index.ts';
import { AppError } from '../errors.ts';
import type { RequestMeta } from './deps.ts';

export const SECURITY_EVENTS_MAX_PAGE = 100;

export interface SecurityEventRecord {
  type: SecurityEventType;
  userId: string | null;
  sessionId?: string | null;
  /** Who made the change when it was not the account's owner (an operator), and why. */
  actor?: string | null;
  reason?: string | null;
}

export function recordSecurityEvent(
  em: EntityManager,
  event: SecurityEventRecord,
  meta: RequestMeta,
  at: Date,
): void {
  em.create(SecurityEvent, {
    id: randomUUID(),
    type: event.type,
    user: event.userId ? em.getReference(User, event.userId) : null,
    sessionId: event.sessionId ?? null,
    occurredAt: at,
    ipAddress: meta.ipAddress,
    userAgent: meta.userAgent,
    // Cut to their columns: an operator's note must not make the change it records fail.
    actor: event.actor?.slice(0, 128) ?? null,
    reason: event.reason?.slice(0, 512) ?? null,
  });
}

/** The user's events, newest first; `first` must be 1..100. */
export function listSecurityEvents(
  em: EntityManager,
  userId: string,
  first: number,
): Promise<SecurityEvent[]> {
  if (first < 1 || first > SECURITY_EVENTS_MAX_PAGE) {
    throw new AppError(
      'BAD_USER_INPUT',
      { field: 'first' },
      `first must be between 1 and ${SECURITY_EVENTS_MAX_PAGE}.`,
    );
  }
  return em.find(
    SecurityEvent,
    { user: userId },
    // Insertion order is the truest "newest first", even across instances' clocks.
    { orderBy: { seq: 'desc' }, limit: first },
  );
}
