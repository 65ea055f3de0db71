import { getIntrospectionQuery, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  createIntrospectionMeter,
  MAX_INTROSPECTION_DEPTH,
  MAX_INTROSPECTION_LIST_NESTING,
} from '../../src/graphql/limits.ts';

function shapeOf(query: string) {
  const document = parse(query);
  const meter = createIntrospectionMeter(
    (name) =>
      document.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name,
      ) as never,
  );
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return meter(operation?.selectionSet);
}

describe('introspection limits', () => {
  it('are what the full standard introspection query needs, measured, plus a small margin', () => {
    const standard = shapeOf(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
    expect(standard).toEqual({ depth: 15, listNesting: 3 });
    expect(MAX_INTROSPECTION_DEPTH).toBe(standard.depth + 2);
    expect(MAX_INTROSPECTION_LIST_NESTING).toBe(standard.listNesting);
  });

  it('measure a fragment spread many times once, and a fragment cycle as empty', () => {
    const doubling = Array.from(
      { length: 40 },
      (_, i) => `fragment F${i + 1} on __Type { ofType { ...F${i} ...F${i} } }`,
    ).join('\n');
    const started = performance.now();
    const shape = shapeOf(
      `{ __schema { types { ...F40 } } }\n${doubling}\nfragment F0 on __Type { name }`,
    );
    expect(shape).toEqual({ depth: 43, listNesting: 1 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(
      shapeOf('{ __schema { types { ...A } } } fragment A on __Type { fields { type { ...A } } }'),
    ).toEqual({ depth: 4, listNesting: 2 });
  });
});
