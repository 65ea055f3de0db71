import { describe, expect, it } from 'vitest';
import { type CachedCheck, TokenCache } from '../../src/auth/token-cache.ts';

const valid = (sessionId: string, userId: string): CachedCheck => ({
  kind: 'valid',
  liveUntil: Date.now() + 60_000,
  user: { id: userId, email: `${userId}@example.com`, createdAt: new Date() },
  session: { id: sessionId, createdAt: new Date(), lastUsedAt: new Date(), expiresAt: new Date() },
});

describe('TokenCache', () => {
  it('drops the entries of a revoked session, and only those', () => {
    const cache = new TokenCache(10);
    cache.fill('a', valid('s1', 'u1'), cache.epoch);
    cache.fill('b', valid('s2', 'u1'), cache.epoch);
    cache.drop({ sessionIds: ['s1'] });
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')?.kind).toBe('valid');
  });

  it('drops every entry of a user whose sessions all ended', () => {
    const cache = new TokenCache(10);
    cache.fill('a', valid('s1', 'u1'), cache.epoch);
    cache.fill('b', valid('s2', 'u1'), cache.epoch);
    cache.fill('c', valid('s3', 'u2'), cache.epoch);
    cache.drop({ userIds: ['u1'] });
    expect([cache.get('a'), cache.get('b'), cache.get('c')?.kind]).toEqual([
      undefined,
      undefined,
      'valid',
    ]);
  });

  it('refuses a result read before a drop, so a racing check cannot put a revoked token back', () => {
    const cache = new TokenCache(10);
    const epoch = cache.epoch; // a check starts, and reads the database...
    cache.drop({ sessionIds: ['s1'] }); // ...while a revocation of its session is dropped
    cache.fill('a', valid('s1', 'u1'), epoch);
    expect(cache.get('a')).toBeUndefined();
  });

  it('holds no more than its bound, and forgets evicted entries in its indexes', () => {
    const cache = new TokenCache(3);
    for (let i = 0; i < 10; i++) cache.fill(`t${i}`, valid(`s${i}`, 'u1'), cache.epoch);
    expect(cache.size).toBe(3);
    cache.drop({ userIds: ['u1'] });
    expect(cache.size).toBe(0);
  });
});
