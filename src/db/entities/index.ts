// Every entity, in one list for the ORM configuration.
import { AccessToken } from './access-token.entity.ts';
import { CacheLease } from './cache-lease.entity.ts';
import { RateLimitEntry } from './rate-limit-entry.entity.ts';
import { RefreshToken } from './refresh-token.entity.ts';
import { SecurityEvent } from './security-event.entity.ts';
import { Session } from './session.entity.ts';
import { User } from './user.entity.ts';

export type { SecurityEventType } from './security-event.entity.ts';
export { AccessToken, CacheLease, RateLimitEntry, RefreshToken, SecurityEvent, Session, User };
export const entities = [
  User,
  Session,
  AccessToken,
  RefreshToken,
  SecurityEvent,
  RateLimitEntry,
  CacheLease,
];
