// What the token lifecycle needs to know, handed in by the composition root.
import type { Clock } from './clock.ts';
import type { PasswordHasher } from './passwords.ts';
import type { PasswordThrottle } from './throttle.ts';

export interface TokenSettings {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly sessionTtlSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly freshAuthSeconds: number;
}

/** Where a request came from, recorded on sessions and security events. */
export interface RequestMeta {
  readonly ipAddress: string | null;
  readonly userAgent: string | null;
}

export interface AuthDeps {
  readonly clock: Clock;
  readonly settings: TokenSettings;
  readonly passwords: PasswordHasher;
  readonly throttle: PasswordThrottle;
}
