// The Apollo Server: schema, resolvers, error masking, and the WWW-Authenticate header
// (RFC 6750 §3) on responses to requests whose access token was rejected.

import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Logger } from 'pino';
import type { UnauthenticatedReason } from '../errors.ts';
import type { GraphQLContext } from './context.ts';
import { createFormatError } from './errors.ts';
import { MAX_TOKENS, requestLimits } from './limits.ts';
import { resolvers } from './resolvers/index.ts';

const typeDefs = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');

const TOKEN_PROBLEMS: Readonly<Record<UnauthenticatedReason, string>> = {
  MISSING: 'No access token was presented',
  MALFORMED: 'The Authorization header is not a well-formed Bearer access token',
  INVALID: 'The access token is not recognised',
  EXPIRED: 'The access token has expired',
  REVOKED: 'The access token has been revoked',
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
    stopOnTerminationSignals: false, // src/main.ts drains on SIGTERM/SIGINT; Apollo's would race it
    validationRules: limits.validationRules,
    parseOptions: { maxTokens: MAX_TOKENS },
    formatError: createFormatError(logger),
    logger,
    plugins: [
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      wwwAuthenticate,
      ...(limits.plugins as ApolloServerPlugin<GraphQLContext>[]),
    ],
  });
}
