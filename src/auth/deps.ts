// What the domain needs from the composition root, and the one request object every domain
// operation takes: the request's EntityManager, those dependencies, and where it came from.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from './clock.ts';
import { type AuthMetrics, metricsOf } from './metrics-sink.ts';
import type { PasswordHasher } from './passwords.ts';
import type { RevocationBus } from './revocation-bus.ts';
import type { TokenSettings } from './settings.ts';
import type { Throttle } from './throttle.ts';

export interface AuthDeps {
  readonly clock: Clock;
  readonly settings: TokenSettings;
  readonly passwords: PasswordHasher;
  readonly throttle: Throttle;
  /** Keeps every instance's token cache coherent with revocations. */
  readonly revocations: RevocationBus;
  /** Where the lifecycle reports logins, refreshes, revocations… (metrics-sink.ts); none by default. */
  readonly metrics?: AuthMetrics;
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

/** Sessions revoked in a transaction that has not committed yet, by reason. */
const revokedIn = new WeakMap<EntityManager, Array<{ reason: string; count: number }>>();

/**
 * Notes, inside a revokingTransaction, that `count` live sessions were revoked for `reason`.
 * They are reported (metricsOf) only once the transaction has committed: one that rolls back
 * revoked nothing.
 */
export function noteRevokedSessions(tx: EntityManager, reason: string, count: number): void {
  const notes = revokedIn.get(tx) ?? [];
  notes.push({ reason, count });
  revokedIn.set(tx, notes);
}

/**
 * A transaction that may revoke: once it has committed, this waits until every instance has
 * dropped what it revoked (revocation-bus.ts) before returning, so the operation answers only
 * when no instance accepts the revoked tokens. Every revoking transaction goes through here.
 */
export async function revokingTransaction<T>(
  req: AuthRequest,
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  let committed: EntityManager | undefined;
  const result = await req.em.transactional(async (tx) => {
    committed = tx;
    return work(tx);
  });
  if (committed) {
    for (const { reason, count } of revokedIn.get(committed) ?? []) {
      metricsOf(req.deps).sessionsRevoked(reason, count);
    }
    revokedIn.delete(committed);
    await req.deps.revocations.settle(committed);
  }
  return result;
}
