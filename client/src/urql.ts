// urql's authExchange configured over the token manager: the Bearer header, a refresh before an
// operation whose token is due, and one after an answer that the token did not authenticate.
import type { CombinedError, Operation } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import type { TesseraClient } from './client.ts';

/**
 * Put it before the fetch exchange: `exchanges: [cacheExchange, tesseraAuthExchange(tessera),
 * fetchExchange]`. urql retries an operation once after `refreshAuth` (its `authAttempt`), so a
 * refresh that does not help ends in the error, not in the loop of urql#3112.
 */
export function tesseraAuthExchange(tessera: TesseraClient) {
  const { tokens } = tessera;
  return authExchange(async (utils) => {
    // addAuthToOperation is synchronous: load the stored session before the first operation.
    await tokens.session();
    /** The token the last failed operation carried, so that a refresh can tell it is stale. */
    let rejected: string | undefined;
    return {
      addAuthToOperation(operation: Operation) {
        const token = tokens.currentAccessToken();
        return utils.appendHeaders(operation, {
          // urql sends queries as GET; Tessera's CSRF prevention (Apollo Server's) refuses a GET
          // that does not carry a header a simple cross-site request cannot set.
          'apollo-require-preflight': 'true',
          ...(token && { authorization: `Bearer ${token}` }),
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
}

function bearerOf(operation: Operation): string | undefined {
  const options = operation.context.fetchOptions;
  const headers = (typeof options === 'function' ? options() : options)?.headers as
    | Record<string, string>
    | undefined;
  return headers?.authorization?.replace(/^Bearer /, '');
}
