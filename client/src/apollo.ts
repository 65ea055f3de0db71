// An Apollo Client link over the token manager: the Bearer header on every operation, and one
// refresh and one retry after an answer that the token did not authenticate.
import { ApolloLink } from '@apollo/client';
import { from, mergeMap, type Observable, of } from 'rxjs';
import type { TesseraClient } from './client.ts';
import { isUnauthenticated, type TesseraErrorEntry } from './errors.ts';

/**
 * Put it before the HttpLink: `ApolloLink.from([createTesseraLink(tessera), new HttpLink({ uri })])`.
 * Sign in and out through `tessera` itself, which keeps the session those operations start.
 */
export function createTesseraLink(tessera: TesseraClient): ApolloLink {
  const { tokens } = tessera;
  return new ApolloLink((operation, forward) => {
    const send = (token: string | null): Observable<ApolloLink.Result> => {
      operation.setContext(({ headers }) => ({
        headers: { ...headers, ...(token && { authorization: `Bearer ${token}` }) },
      }));
      return forward(operation);
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
