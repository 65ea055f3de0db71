// The in-process cache of access-token check results, keyed by the token's SHA-256 digest. It
// only remembers what the database said; whether it may be used at all is the revocation
// bus's decision (revocation-bus.ts and docs/token-cache.md): an instance serves from it only
// while it holds a live lease, and drops entries before it acknowledges a revocation.
import { LRUCache } from 'lru-cache';
import type { SessionView, UserView } from './caller.ts';

/**
 * What a check found: a live token's caller, with the instant (epoch ms) it stops being live
 * (the first of the token's expiry and its session's ends), or a final rejection. Entries are
 * handed out as they are, to every request that presents the token: never changed.
 */
export type CachedCheck =
  | {
      readonly kind: 'valid';
      readonly user: UserView;
      readonly session: SessionView;
      readonly liveUntil: number;
    }
  | { readonly kind: 'rejected'; readonly reason: 'INVALID' | 'REVOKED' | 'EXPIRED' };

/** What a revocation ends: some sessions, or every session of some users. */
export interface RevocationTarget {
  readonly sessionIds?: readonly string[];
  readonly userIds?: readonly string[];
}

export class TokenCache {
  private readonly entries: LRUCache<string, CachedCheck>;
  private readonly bySession = new Map<string, Set<string>>();
  private readonly byUser = new Map<string, Set<string>>();
  /**
   * Moved on by every drop. A check that began before a drop must not put what it read back
   * (it may have read the database before the revocation committed), so `fill` refuses a result
   * whose epoch is not the current one.
   */
  private epochValue = 0;

  constructor(max: number) {
    this.entries = new LRUCache<string, CachedCheck>({
      max,
      dispose: (value, digest) => this.unindex(digest, value),
    });
  }

  get epoch(): number {
    return this.epochValue;
  }

  get size(): number {
    return this.entries.size;
  }

  get(digest: string): CachedCheck | undefined {
    return this.entries.get(digest);
  }

  /** Stores what a check read at `epoch`; does nothing if anything was dropped since. */
  fill(digest: string, check: CachedCheck, epoch: number): void {
    if (epoch !== this.epochValue) return;
    this.entries.set(digest, check);
    if (check.kind !== 'valid') return;
    index(this.bySession, check.session.id, digest);
    index(this.byUser, check.user.id, digest);
  }

  drop(target: RevocationTarget): void {
    this.epochValue += 1;
    for (const [ids, byId] of [
      [target.sessionIds, this.bySession],
      [target.userIds, this.byUser],
    ] as const) {
      for (const id of ids ?? []) {
        for (const digest of [...(byId.get(id) ?? [])]) this.entries.delete(digest);
      }
    }
  }

  clear(): void {
    this.epochValue += 1;
    this.entries.clear();
  }

  private unindex(digest: string, check: CachedCheck): void {
    if (check.kind !== 'valid') return;
    unindexOne(this.bySession, check.session.id, digest);
    unindexOne(this.byUser, check.user.id, digest);
  }
}

function index(map: Map<string, Set<string>>, id: string, digest: string): void {
  let set = map.get(id);
  if (!set) {
    set = new Set();
    map.set(id, set);
  }
  set.add(digest);
}

function unindexOne(map: Map<string, Set<string>>, id: string, digest: string): void {
  const set = map.get(id);
  if (!set) return;
  set.delete(digest);
  if (set.size === 0) map.delete(id);
}
