// GraphQL Code Generator, from schema.graphql: the server's resolver types and the client
// package's typed documents (both committed; CI checks freshness with codegen:check).
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
    // @tessera/client: one typed document per operation of the contract.
    'client/src/generated/': {
      documents: ['client/src/operations/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        importExtension: '.ts',
        // Only the types the operations use: the package does not change when the schema
        // grows a field it does not ask for.
        onlyOperationTypes: true,
        scalars: { DateTime: 'string', EmailAddress: 'string' },
        enumsAsTypes: true,
        avoidOptionals: { field: true },
      },
    },
  },
};

export default config;
