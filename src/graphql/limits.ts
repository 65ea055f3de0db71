// What one request may ask for. graphql-armor bounds aliases, depth, directives and cost;
// graphql-js's own parser bounds tokens; our own rule allows at most one password-checking mutation field per document, so an
// aliased `login` ×30 (or a `login` beside a `changePassword`) never reaches a password check.
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationRule } from 'graphql';

export const PASSWORD_CHECKING_FIELDS: ReadonlySet<string> = new Set([
  'signUp',
  'login',
  'revokeSession',
  'revokeAllTokens',
  'changeEmail',
  'changePassword',
]);

export const onePasswordCheckPerRequest: ValidationRule = (context) => {
  let seen = 0;
  return {
    Field(node) {
      if (context.getParentType()?.name !== 'Mutation') return;
      if (!PASSWORD_CHECKING_FIELDS.has(node.name.value)) return;
      seen += 1;
      if (seen === 2) {
        context.reportError(
          new GraphQLError('A request may contain only one operation that takes a password.', {
            nodes: node,
          }),
        );
      }
    },
  };
};

/** For Apollo's `parseOptions`: parsing stops, with a 400, past this many tokens. */
export const MAX_TOKENS = 1000;

export function requestLimits(): {
  plugins: ReturnType<ApolloArmor['protect']>['plugins'];
  validationRules: ValidationRule[];
} {
  const armor = new ApolloArmor({
    maxAliases: { n: 10 },
    maxDepth: { n: 8 },
    // Not armor's: its Apollo plugin throws from parsingDidStart, which Apollo answers with a
    // 500. graphql-js's parse option (MAX_TOKENS) fails as an ordinary 400 parse error.
    maxTokens: { enabled: false },
    maxDirectives: { n: 20 },
    costLimit: { maxCost: 2000 },
    // Apollo's hideSchemaDetailsFromClientErrors already hides suggestions in production.
    blockFieldSuggestion: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins, validationRules: [...validationRules, onePasswordCheckPerRequest] };
}
