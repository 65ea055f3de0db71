// urql's authExchange configured over the token manager: the Bearer header, the cookie
// transport's header and credentials, a refresh before an operation whose token is due and one
// after an answer that the token did not authenticate; then the sessions that operations start or end.
import {
  type CombinedError,
  composeExchanges,
  makeOperation,
  mapExchange,
  type Operation,
} from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import type { TesseraClient } from './client.ts';

/**
 * Put it before the fetch exchange: `exchanges: [cacheExchange, tesseraAuthExchange(tessera),
 * fetchExchange]`. urql retries an operation once after `refreshAuth` (its `authAttempt`), so a
 * refresh that does not help ends in the error, not in the loop of urql#3112. A login,
 * changePassword or logout sent through urql starts or ends the session in `tessera` too, as
 * `tessera.request` does.
 */
export function tesseraAuthExchange(tessera: TesseraClient) {
  const { tokens } = tessera;
  const cookie = tessera.refreshTransport === 'cookie';
  const auth = authExchange(async (utils) => {
    // addAuthToOperation is synchronous: load the stored session before the first operation.
    await tokens.session();
    /** The token the last failed operation carried, so that a refresh can tell it is stale. */
    let rejected: string | undefined;
    return {
      addAuthToOperation(operation: Operation) {
        const token = tokens.currentAccessToken();
        const authorized = utils.appendHeaders(operation, {
          // urql sends queries as GET; Tessera's CSRF prevention (Apollo Server's) refuses a GET
          // that does not carry a header a simple cross-site request cannot set.
          'apollo-require-preflight': 'true',
          ...(token && { authorization: `Bearer ${token}` }),
          // Without it the server puts the refresh token in the body, and so in urql's cache
          // where any script can read it: what the cookie transport exists to prevent (contract §7).
          ...(cookie && { 'x-tessera-refresh-transport': 'cookie' }),
        });
        if (!cookie) return authorized;
        // The request goes to the same API as the client's own: let the browser set the cookie.
        return makeOperation(authorized.kind, authorized, {
          ...authorized.context,
          fetchOptions: {
            ...(authorized.context.fetchOptions as RequestInit),
            credentials: 'include',
          },
        });
      },
      willAuthError: () => tokens.isRefreshDue(),
      didAuthError(error: CombinedError, operation: Operation) {
        const failed = error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
        if (failed) rejected = bearerOf(operation);
        return failed;
      },
      async refreshAuth() {
        const stale = rejected;
        rejected = undefined;
        await tokens.refresh(stale);
      },
    };
  });
  /** When each operation (each attempt of it) left for the server, on the client's clock. */
  const sentAtMs = new Map<number, number>();
  // Below the authExchange, so that it sees each attempt as sent and its answer before urql's
  // retry logic: keeps the manager on the session the server now has (changePassword revoked the old).
  const follow = mapExchange({
    onOperation(operation) {
      sentAtMs.set(operation.key, tessera.now());
    },
    async onResult(result) {
      const sent = sentAtMs.get(result.operation.key) ?? tessera.now();
      sentAtMs.delete(result.operation.key);
      await tessera.followSession(result.data, sent);
      return result;
    },
  });
  return composeExchanges([auth, follow]);
}

function bearerOf(operation: Operation): string | undefined {
  const options = operation.context.fetchOptions;
  const headers = (typeof options === 'function' ? options() : options)?.headers as
    | Record<string, string>
    | undefined;
  return headers?.authorization?.replace(/^Bearer /, '');
}
