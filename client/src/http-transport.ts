// One GraphQL request over fetch: the document printed, the headers each refresh transport needs,
// a timeout, and an answer that is either GraphQL's or a TesseraNetworkError.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { type TesseraErrorEntry, TesseraNetworkError } from './errors.ts';

/**
 * Where the refresh token travels. `cookie`: an HttpOnly cookie the browser keeps and script
 * never sees (contract §7); `body`: in the AuthPayload and the refreshToken argument.
 */
export type RefreshTransport = 'cookie' | 'body';

export interface HttpTransportOptions {
  url: string;
  refreshTransport: RefreshTransport;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  /** Extra headers on every request (an app's tracing header, say). */
  headers?: Record<string, string>;
}

export interface GraphQLAnswer<TData> {
  data: TData | null | undefined;
  errors: TesseraErrorEntry[] | undefined;
}

const printed = new WeakMap<object, string>();

function queryText(document: TypedDocumentNode<unknown, never>): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

export interface HttpTransport {
  post<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables | undefined,
    accessToken: string | null,
    options?: { timeoutMs?: number },
  ): Promise<GraphQLAnswer<TData>>;
}

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const { url, refreshTransport, fetch, timeoutMs } = options;
  const cookie = refreshTransport === 'cookie';
  return {
    async post(document, variables, accessToken, postOptions) {
      let response: Response;
      let body: unknown;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...options.headers,
            ...(accessToken && { authorization: `Bearer ${accessToken}` }),
            // The cookie transport needs this header on every request that sets or reads the
            // refresh cookie; a cross-site form cannot send it (contract §7).
            ...(cookie && { 'x-tessera-refresh-transport': 'cookie' }),
          },
          ...(cookie && { credentials: 'include' as const }),
          body: JSON.stringify({
            query: queryText(document as TypedDocumentNode<unknown, never>),
            variables: variables ?? {},
          }),
          signal: AbortSignal.timeout(postOptions?.timeoutMs ?? timeoutMs),
        });
        body = await response.json();
      } catch (error) {
        throw new TesseraNetworkError('The Tessera API could not be reached', { cause: error });
      }
      const answer = body as Partial<GraphQLAnswer<never>> | null;
      if (!answer || typeof answer !== 'object' || (!('data' in answer) && !answer.errors)) {
        throw new TesseraNetworkError(`The Tessera API answered HTTP ${response.status}`);
      }
      return { data: answer.data, errors: answer.errors };
    },
  };
}
