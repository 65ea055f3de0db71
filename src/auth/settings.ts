// The token lifecycle's settings (contract section 6), handed in by the composition root.
// src/config.ts refuses combinations that contradict each other (access <= refresh <= session).

export interface TokenSettings {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly sessionTtlSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly freshAuthSeconds: number;
}
