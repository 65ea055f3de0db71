// What a GraphQL request was, for its log line and the metrics: the operation (name, type,
// root fields), the error codes it answered with, and who asked. Filled in once, by a plugin,
// as the response is about to be sent, from what Apollo has already worked out (the parsed
// operation, the formatted errors, the context's viewer): nothing is parsed or looked up again,
// so the authenticated hot path pays for a few property reads. Never a variable, a token, a
// password or an email: only names from the document and ids the server made.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { type DocumentNode, Kind, type SelectionSetNode } from 'graphql';
import type { GraphQLContext } from './context.ts';

export interface RequestSummary {
  /** The operation's name as the document gives it: a GraphQL Name (no free text), capped. */
  operationName?: string;
  operationType?: 'query' | 'mutation' | 'subscription';
  /** The root fields it selects (not their aliases), each once: names from the schema. */
  rootFields?: string[];
  /** The `extensions.code` of each error of the response, in order, each once. */
  errorCodes?: string[];
  /** The signed-in caller, or the account this request handed tokens to (login, refresh). */
  userId?: string;
  /** The caller's session, or the one whose tokens this request handed out (login, refresh). */
  sessionId?: string;
}

type ErrorLike = { readonly extensions?: { readonly code?: unknown } };

/** Each code once, in order; an error without one (which formatError never lets out) as UNKNOWN. */
function codesOf(errors: readonly ErrorLike[] | undefined): string[] {
  if (!errors?.length) return [];
  return [...new Set(errors.map((error) => String(error.extensions?.code ?? 'UNKNOWN')))];
}

/** Long enough for any honest name; a Name has no length limit of its own. */
const MAX_OPERATION_NAME = 100;

/** The root fields of a selection set, through fragments (validation has ruled out cycles). */
function collectRootFields(
  selectionSet: SelectionSetNode,
  document: DocumentNode | undefined,
  into: Set<string>,
): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      into.add(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectRootFields(selection.selectionSet, document, into);
    } else {
      const name = selection.name.value;
      const fragment = document?.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) {
        collectRootFields(fragment.selectionSet, document, into);
      }
    }
  }
  return into;
}

// One listener for every request: it keeps no state of its own, so none is allocated per request.
const listener: GraphQLRequestListener<GraphQLContext> = {
  async willSendResponse({ contextValue, operation, document, response }) {
    const summary = contextValue?.summary;
    if (!summary) return;
    // Only a resolved operation (it parsed and validated): its names are the schema's.
    if (operation) {
      summary.operationType = operation.operation;
      const name = operation.name?.value;
      if (name) summary.operationName = name.slice(0, MAX_OPERATION_NAME);
      summary.rootFields = [...collectRootFields(operation.selectionSet, document, new Set())];
    }
    summary.errorCodes =
      response.body.kind === 'single' ? codesOf(response.body.singleResult.errors) : [];
    const { viewer } = contextValue;
    if (viewer.kind === 'authenticated') {
      summary.userId = viewer.user.id;
      summary.sessionId = viewer.session.id;
    } else if (contextValue.currentUserId && contextValue.currentSessionId) {
      summary.userId = contextValue.currentUserId;
      summary.sessionId = contextValue.currentSessionId;
    }
  },
};

export const requestSummaryPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return listener;
  },
};

/**
 * The codes of a response Apollo answered without running the request pipeline (a failed
 * context, CSRF prevention, a malformed request), so without the plugin: those are small error
 * bodies, read only on that path.
 */
export function errorCodesOfBody(body: string): string[] {
  try {
    return codesOf((JSON.parse(body) as { errors?: ErrorLike[] }).errors);
  } catch {
    return [];
  }
}
