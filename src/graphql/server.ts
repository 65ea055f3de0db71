// The Apollo Server: schema, resolvers, error masking, the HTTP status an error code implies,
// `Cache-Control: no-store` on every response, and the WWW-Authenticate header (RFC 6750 §3) on
// responses to requests whose access token was rejected.

import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { buildSchema } from 'graphql';
import type { Logger } from 'pino';
import type { UnauthenticatedReason } from '../errors.ts';
import type { GraphQLContext } from './context.ts';
import { createFormatError } from './errors.ts';
import { createLandingPagePlugin } from './landing-page.ts';
import { MAX_TOKENS, requestLimits } from './limits.ts';
import { requestSummaryPlugin } from './request-summary.ts';
import { resolvers } from './resolvers/index.ts';

const typeDefs = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');

const TOKEN_PROBLEMS: Readonly<Record<UnauthenticatedReason, string>> = {
  MISSING: 'No access token was presented',
  MALFORMED: 'The Authorization header is not a well-formed Bearer access token',
  INVALID: 'The access token is not recognised',
  EXPIRED: 'The access token has expired',
  REVOKED: 'The access token has been revoked',
};

/**
 * Responses carry tokens and account data: no cache may keep them (RFC 9111 §5.2.2.5). Apollo's
 * cache-control plugin came to the same `no-store`, but by computing a cache policy for every
 * resolved field (its per-field hook also made Apollo wrap every resolver); Tessera sets no
 * cache hints, so the answer is constant and is set once here instead.
 */
const noStore: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};

const wwwAuthenticate: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        const viewer = contextValue?.viewer;
        if (viewer?.kind !== 'rejected') return;
        response.http.headers.set(
          'www-authenticate',
          `Bearer error="invalid_token", error_description="${TOKEN_PROBLEMS[viewer.reason]}"`,
        );
      },
    };
  },
};

/**
 * Error codes that decide the HTTP status whatever else the response holds. Apollo takes the
 * status from an error's `extensions.http`, which only errors thrown before execution carry
 * (a context failure); a database failure inside a resolver arrives as an ordinary error, is
 * classified by formatError, and would otherwise go out as 200.
 */
const STATUS_FOR_CODE: Readonly<Record<string, number>> = {
  SERVICE_UNAVAILABLE: 503,
  // Apollo answers this 200; it is a request the server will not take. Apollo Client's
  // persisted-query link reads the code from a 400 as well and resends the full query.
  PERSISTED_QUERY_NOT_SUPPORTED: 400,
};

const statusFromErrorCodes: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        for (const error of response.body.singleResult.errors ?? []) {
          const status = STATUS_FOR_CODE[String(error.extensions?.code)];
          if (status) {
            response.http.status = status;
            return;
          }
        }
      },
    };
  },
};

export function createApolloServer(options: {
  production: boolean;
  logger: Logger;
  httpServer: Server;
}): ApolloServer<GraphQLContext> {
  const { production, logger, httpServer } = options;
  const limits = requestLimits();
  return new ApolloServer<GraphQLContext>({
    typeDefs,
    resolvers,
    introspection: !production,
    // Field suggestions ("Did you mean …?") describe the schema; off where introspection is.
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    // One request, one operation: batching would multiply password checks per request.
    allowBatchedHttpRequests: false,
    // No Automatic Persisted Queries. Apollo's default cache is per instance and in memory, so
    // behind a load balancer most hashes miss anyway; the operations here are small, and an
    // auth API gains nothing worth a client-fillable cache (or the not-found, mismatch and
    // bad-version paths, which Apollo answers as internal errors). Every persistedQuery
    // extension gets PERSISTED_QUERY_NOT_SUPPORTED, and clients fall back to sending the query.
    persistedQueries: false,
    stopOnTerminationSignals: false, // src/main.ts drains on SIGTERM/SIGINT; Apollo's would race it
    validationRules: limits.validationRules,
    parseOptions: { maxTokens: MAX_TOKENS },
    // The schema only for looking up argument types in error messages; Apollo builds its own.
    formatError: createFormatError(logger, buildSchema(typeDefs)),
    logger,
    plugins: [
      createLandingPagePlugin(production),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginCacheControlDisabled(),
      noStore,
      wwwAuthenticate,
      statusFromErrorCodes,
      requestSummaryPlugin,
      ...(limits.plugins as ApolloServerPlugin<GraphQLContext>[]),
    ],
  });
}
