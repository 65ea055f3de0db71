// What the domain needs from the composition root, and the one request object every domain
// operation takes: the request's EntityManager, those dependencies, and where it came from.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from './clock.ts';
import type { PasswordHasher } from './passwords.ts';
import type { TokenSettings } from './settings.ts';
import type { Throttle } from './throttle.ts';

export interface AuthDeps {
  readonly clock: Clock;
  readonly settings: TokenSettings;
  readonly passwords: PasswordHasher;
  readonly throttle: Throttle;
}

/** Where a request came from, recorded on sessions and security events. */
export interface RequestMeta {
  readonly ipAddress: string | null;
  readonly userAgent: string | null;
}

export interface AuthRequest {
  readonly em: EntityManager;
  readonly deps: AuthDeps;
  readonly meta: RequestMeta;
}
