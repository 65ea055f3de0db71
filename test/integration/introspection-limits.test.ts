// Introspection is bounded too. graphql-armor's depth and cost limits skip `__schema`, and
// graphql-js's MaxIntrospectionDepthRule counts only fields/interfaces/possibleTypes/inputFields,
// so without a rule of our own an `ofType` chain or lists nested through `args` run freely.
import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { errorOf, useTestApp } from './harness.ts';

const app = useTestApp();

const nested = (open: string, levels: number, leaf: string) =>
  `${open.repeat(levels)} ${leaf} ${'}'.repeat(levels)}`;

describe('introspection limits', () => {
  it('let the full standard introspection query (codegen, Apollo Sandbox) through', async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const result = await app.gql(query);
    expect(result.errors).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result.data?.__schema.types.map((t: { name: string }) => t.name)).toContain('Session');
  });

  it('refuse an ofType chain 50 levels deep with 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const query = `{ __schema { types { fields { type { ${nested('ofType { ', 50, 'name')} } } } } }`;
    const result = await app.gql(query);
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(errorOf(result)).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('refuse the same chain hidden in fragments', async () => {
    const query = `
      query { __schema { types { ...A } } }
      fragment A on __Type { fields { type { ...B } } }
      fragment B on __Type { ${nested('ofType { ', 30, '...C')} }
      fragment C on __Type { name }`;
    const result = await app.gql(query);
    expect(result.status).toBe(400);
    expect(errorOf(result)).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it.each([
    [
      'fields, args, fields, args',
      '{ __schema { types { fields { args { type { fields { args { name } } } } } } } }',
    ],
    [
      'directives, args, inputFields, enumValues',
      '{ __schema { directives { args { type { inputFields { type { enumValues { name } } } } } } } }',
    ],
    [
      'the same from __type',
      '{ __type(name: "Mutation") { fields { args { type { fields { args { name } } } } } } }',
    ],
  ])('refuse list fields multiplying inside each other (%s) with 400', async (_, query) => {
    const result = await app.gql(query);
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(errorOf(result)).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });
});
