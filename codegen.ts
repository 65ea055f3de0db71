// GraphQL Code Generator: resolver types from schema.graphql (committed; CI checks freshness).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/graphql/resolvers.generated.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        importExtension: '.ts',
        contextType: './context.ts#GraphQLContext',
        mappers: {
          User: '../auth/caller.ts#UserView',
          Session: '../auth/caller.ts#SessionView',
          SecurityEvent: '../db/entities/index.ts#SecurityEvent as SecurityEventEntity',
          AuthPayload: '../auth/refresh-tokens.ts#IssuedTokens',
        },
        scalars: { DateTime: 'Date', EmailAddress: 'string' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: true },
        maybeValue: 'T | null',
        inputMaybeValue: 'T | null | undefined',
      },
    },
  },
};

export default config;
