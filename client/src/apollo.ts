// An Apollo Client link over the token manager: the Bearer header on every operation, the cookie
// transport's header and credentials, one refresh and one retry after an answer that the token
// did not authenticate, and the sessions that operations start or end.
import { ApolloLink } from '@apollo/client';
import { from, mergeMap, type Observable, of } from 'rxjs';
import type { TesseraClient } from './client.ts';
import { isUnauthenticated, type TesseraErrorEntry } from './errors.ts';

/**
 * Put it before the HttpLink: `ApolloLink.from([createTesseraLink(tessera), new HttpLink({ uri })])`.
 * A login, changePassword or logout sent through Apollo starts or ends the session in `tessera`
 * too, as `tessera.request` does.
 */
export function createTesseraLink(tessera: TesseraClient): ApolloLink {
  const { tokens } = tessera;
  const cookie = tessera.refreshTransport === 'cookie';
  return new ApolloLink((operation, forward) => {
    const send = (token: string | null): Observable<ApolloLink.Result> => {
      const sentAtMs = tessera.now();
      operation.setContext(({ headers }) => ({
        headers: {
          ...headers,
          ...(token && { authorization: `Bearer ${token}` }),
          // Without it the server puts the refresh token in the body, and so in Apollo's cache
          // where any script can read it: what the cookie transport exists to prevent (contract §7).
          ...(cookie && { 'x-tessera-refresh-transport': 'cookie' }),
        },
        // The request goes to the same API as the client's own: let the browser set the cookie.
        ...(cookie && { credentials: 'include' }),
      }));
      return forward(operation).pipe(
        // Keep the manager on the session the server now has (changePassword revoked the old).
        mergeMap((result) => from(tessera.followSession(result.data, sentAtMs).then(() => result))),
      );
    };
    return from(tokens.accessToken()).pipe(
      mergeMap((token) =>
        send(token).pipe(
          mergeMap((result) => {
            const errors = (result as { errors?: TesseraErrorEntry[] }).errors;
            if (!token || !isUnauthenticated(errors)) return of(result);
            // Once: the retry's answer goes to the app whatever it is.
            return from(tokens.refresh(token)).pipe(
              mergeMap((fresh) => (fresh ? send(fresh) : of(result))),
            );
          }),
        ),
      ),
    );
  });
}
