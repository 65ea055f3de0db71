// What one request may ask for. graphql-armor bounds aliases, depth, directives and cost;
// graphql-js's own parser bounds tokens; our own rules allow at most one password-checking
// mutation field per document (so an aliased `login` ×30, or a `login` beside a
// `changePassword`, never reaches a password check), bound introspection, which armor skips,
// and refuse subscriptions, which the schema does not have.
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  type ArgumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  TypeInfo,
  ValidationContext,
  type ValidationRule,
  visit,
} from 'graphql';
import { SECURITY_EVENTS_MAX_PAGE } from '../auth/events.ts';

export const PASSWORD_CHECKING_FIELDS: ReadonlySet<string> = new Set([
  'signUp',
  'login',
  'revokeSession',
  'revokeAllTokens',
  'changeEmail',
  'changePassword',
  'deleteAccount',
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

/**
 * The deepest introspection a request may ask for, counted in fields from `__schema`/`__type`
 * down. graphql-js's getIntrospectionQuery with every option on (what codegen and Apollo Sandbox
 * send) measures 15, its TypeRef fragment's nine `ofType`s being most of it
 * (test/unit/introspection-limits.test.ts measures it); 2 more is the margin.
 */
export const MAX_INTROSPECTION_DEPTH = 17;

/**
 * How many list-returning introspection fields may nest inside each other. Each level multiplies
 * the answer by a schema's worth of entries; the standard query nests 3 (`types { fields { args`).
 * graphql-js's MaxIntrospectionDepthRule counts only four of these names, so `args`, `types`,
 * `enumValues` and `directives` could still be stacked without this.
 */
export const MAX_INTROSPECTION_LIST_NESTING = 3;

const INTROSPECTION_LIST_FIELDS: ReadonlySet<string> = new Set([
  'types',
  'fields',
  'args',
  'inputFields',
  'interfaces',
  'possibleTypes',
  'enumValues',
  'directives',
]);

export interface IntrospectionShape {
  /** Fields on the longest path, the root field included. */
  depth: number;
  /** List-returning introspection fields on the path that has the most of them. */
  listNesting: number;
}

/**
 * Measures the selection under an introspection root field, fragments included. Each fragment is
 * measured once (a fragment's shape does not depend on where it is spread), so a document that
 * spreads fragments exponentially costs linear time; a cycle (refused by graphql-js's
 * NoFragmentCyclesRule in the same pass) counts as empty here.
 */
export function createIntrospectionMeter(
  getFragment: (name: string) => FragmentDefinitionNode | null | undefined,
): (selectionSet: SelectionSetNode | undefined) => IntrospectionShape {
  const fragments = new Map<string, IntrospectionShape | 'measuring'>();
  const measure = (selectionSet: SelectionSetNode | undefined): IntrospectionShape => {
    const shape = { depth: 0, listNesting: 0 };
    for (const selection of selectionSet?.selections ?? []) {
      let inner: IntrospectionShape;
      if (selection.kind === Kind.FIELD) {
        const below = measure(selection.selectionSet);
        const isList = INTROSPECTION_LIST_FIELDS.has(selection.name.value) ? 1 : 0;
        inner = { depth: below.depth + 1, listNesting: below.listNesting + isList };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = measure(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const known = fragments.get(name);
        if (known === 'measuring') continue;
        if (known) {
          inner = known;
        } else {
          fragments.set(name, 'measuring');
          inner = measure(getFragment(name)?.selectionSet);
          fragments.set(name, inner);
        }
      }
      shape.depth = Math.max(shape.depth, inner.depth);
      shape.listNesting = Math.max(shape.listNesting, inner.listNesting);
    }
    return shape;
  };
  return measure;
}

export const boundedIntrospection: ValidationRule = (context) => {
  const measure = createIntrospectionMeter((name) => context.getFragment(name));
  return {
    Field(node) {
      if (node.name.value !== '__schema' && node.name.value !== '__type') return;
      const below = measure(node.selectionSet);
      if (
        below.depth + 1 > MAX_INTROSPECTION_DEPTH ||
        below.listNesting > MAX_INTROSPECTION_LIST_NESTING
      ) {
        context.reportError(
          new GraphQLError(
            `Introspection may nest at most ${MAX_INTROSPECTION_DEPTH} fields deep and ${MAX_INTROSPECTION_LIST_NESTING} lists inside each other.`,
            { nodes: node },
          ),
        );
      }
      return false;
    },
  };
};

/**
 * Refuses an operation whose root type the schema lacks (there is no Subscription). graphql 16
 * does not check this when validating; execution then fails with an error that has no code, which
 * Apollo would report as an internal error.
 */
export const operationTypeExists: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(
      new GraphQLError(`This API has no ${node.operation} operations.`, { nodes: node }),
    );
  },
});

/** The most items a paged list field serves, by `Type.field`; a larger `first` is refused. */
const MAX_PAGE: Readonly<Record<string, number>> = {
  'Query.securityEvents': SECURITY_EVENTS_MAX_PAGE,
};

/**
 * graphql-armor's cost limit multiplies a field's cost by a literal `first`, whatever the field
 * would serve: `securityEvents(first: 1000)` was refused as too costly, when the answer that
 * tells the client what is wrong is BAD_USER_INPUT on `first` (what `first: $n` with 1000 gets,
 * armor not seeing variables). So the cost is counted on a copy of the document in which each
 * `first` is at most what its field serves, and the domain refuses the real value, in its one
 * place (src/auth/events.ts).
 */
export function countingPagesAsServed(costRule: ValidationRule): ValidationRule {
  return (context) => {
    const beyondPage = new Map<ArgumentNode, number>();
    return {
      Argument(node) {
        // Inside a field's arguments the parent type is still the one that holds the field.
        const max = MAX_PAGE[`${context.getParentType()?.name}.${context.getFieldDef()?.name}`];
        if (
          max !== undefined &&
          node.name.value === 'first' &&
          node.value.kind === Kind.INT &&
          Number(node.value.value) > max
        ) {
          beyondPage.set(node, max);
        }
      },
      Document: {
        leave(document) {
          const asServed =
            beyondPage.size === 0
              ? document
              : visit(document, {
                  Argument(node): ArgumentNode | undefined {
                    const max = beyondPage.get(node);
                    if (max === undefined) return undefined;
                    return { ...node, value: { kind: Kind.INT, value: String(max) } };
                  },
                });
          // Not graphql's validate(): in the tests graphql is loaded twice (Apollo's CommonJS
          // copy, vitest's ESM one), and it refuses a schema from the other copy. The cost rule
          // reads only the document and its fragments, which a plain visit gives it.
          const schema = context.getSchema();
          const costContext = new ValidationContext(
            schema,
            asServed,
            new TypeInfo(schema),
            (error) => context.reportError(error),
          );
          visit(asServed, costRule(costContext));
        },
      },
    };
  };
}

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
    // Below, on its own, to count pages as served.
    costLimit: { enabled: false },
    // Apollo's hideSchemaDetailsFromClientErrors already hides suggestions in production.
    blockFieldSuggestion: { enabled: false },
  });
  const { plugins, validationRules } = armor.protect();
  const costOnly = new ApolloArmor({
    costLimit: { maxCost: 2000 },
    maxAliases: { enabled: false },
    maxDepth: { enabled: false },
    maxTokens: { enabled: false },
    maxDirectives: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    plugins: [...plugins, ...costOnly.plugins],
    validationRules: [
      ...validationRules,
      ...costOnly.validationRules.map(countingPagesAsServed),
      onePasswordCheckPerRequest,
      boundedIntrospection,
      operationTypeExists,
    ],
  };
}
