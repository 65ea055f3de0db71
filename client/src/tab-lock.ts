// Mutual exclusion between the tabs of one origin for a refresh, with the Web Locks API, bounded
// so that a lock can never hang every call.

/**
 * Runs `work` holding the Web Lock `name`, so that of several tabs only one refreshes at a time
 * and the others then find its tokens in the shared store.
 *
 * Why Web Locks and not a BroadcastChannel election: the browser releases a lock when its holder
 * closes or crashes, with no heartbeat or timeout of ours; a BroadcastChannel leader that dies
 * mid-refresh leaves the others guessing. What hung supabase-js (#1594, #2013, #2344) was not the
 * API but locks that could be held or awaited forever: a holder awaiting something that never
 * settles, a frozen background tab, re-entrant acquisition. Here:
 * - acquisition is bounded: after `acquireTimeoutMs` the work runs WITHOUT the lock. That is safe
 *   because the server answers a second presentation of one refresh token within its retry
 *   window with the same pair, so two tabs refreshing at once cost a duplicate call, not a
 *   sign-out;
 * - `work` is itself bounded (each refresh attempt has a timeout, retries a deadline), so a
 *   holder lets go;
 * - `work` never takes the lock again (no re-entrancy, no deadlock).
 * Outside a page (Node, React Native) there are no tabs, and the token manager's in-process
 * single flight is all the coordination there is. Node does have `navigator.locks`, but process
 * wide: a server holding one client per user would queue every user's refresh behind the others.
 */
export async function withTabLock<T>(
  name: string,
  acquireTimeoutMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks || typeof document === 'undefined') return work();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), acquireTimeoutMs);
  let acquired = false;
  try {
    return await locks.request(name, { signal: abort.signal }, () => {
      acquired = true;
      clearTimeout(timer);
      return work();
    });
  } catch (error) {
    if (!acquired && abort.signal.aborted) return work();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
