// Errors about an argument's value name the argument and the type it needs, never the value:
// a value sent in the wrong place or of the wrong type is as likely as not a password or a token.
import { describe, expect, it } from 'vitest';
import { signUp, useTestApp } from './harness.ts';

const app = useTestApp();

const SECRET = 'hunter2-tsr_s3cr3t';
const LOGIN =
  'mutation($e: EmailAddress!, $p: String!) { login(email: $e, password: $p) { accessToken } }';

async function rawPost(body: unknown) {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('a value of the wrong type', () => {
  it.each([
    ['a list', [SECRET]],
    ['an object', { value: SECRET }],
    ['a nested list', [[SECRET]]],
  ])(
    'in a variable (%s) is BAD_USER_INPUT naming the variable and type, never echoing it',
    async (_, value) => {
      const { status, text } = await rawPost({
        query: LOGIN,
        variables: { e: 'a@example.com', p: value },
      });
      expect(status).toBe(400);
      expect(text).not.toContain(SECRET);
      const error = JSON.parse(text).errors[0];
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
      expect(error.message).toContain('"$p"');
      expect(error.message).toContain('String!');
    },
  );

  it('in an Int variable is not echoed either', async () => {
    const auth = await signUp(app);
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth.accessToken}` },
      body: JSON.stringify({
        query: 'query($n: Int) { securityEvents(first: $n) { id } }',
        variables: { n: SECRET },
      }),
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text).errors[0].message).toContain('Int');
  });

  it.each([
    ['a list', `["${SECRET}"]`, 'String!'],
    ['an object', `{ value: "${SECRET}" }`, 'String!'],
    ['a bare word', SECRET.replace(/-/g, '_'), 'String!'],
    ['a number', '31415926535', 'String!'],
  ])(
    'as a literal (%s) is refused naming the argument, never echoing it',
    async (_, literal, type) => {
      const { status, text } = await rawPost({
        query: `mutation { login(email: "a@example.com", password: ${literal}) { accessToken } }`,
      });
      expect(status).toBe(400);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET.replace(/-/g, '_'));
      expect(text).not.toContain('31415926535');
      const error = JSON.parse(text).errors[0];
      expect(error.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', field: 'password' });
      expect(error.message).toContain(type);
    },
  );

  it('as an Int literal that is a string is refused without echoing it', async () => {
    const { status, text } = await rawPost({
      query: `{ securityEvents(first: "${SECRET}") { id } }`,
    });
    expect(status).toBe(400);
    expect(text).not.toContain(SECRET);
  });
});

describe('a syntax error', () => {
  it.each([
    [
      'a string where a name belongs',
      `mutation { login(email: "a@example.com" password "${SECRET}") { accessToken } }`,
    ],
    [
      'an unterminated block',
      `mutation { login(email: "a@example.com", password: "${SECRET}") { accessToken }`,
    ],
    [
      'a number where a name belongs',
      'mutation { login(email: "a@example.com", 31415926535) { accessToken } }',
    ],
  ])('(%s) does not quote the tokens around it', async (_, query) => {
    const { status, text } = await rawPost({ query });
    expect(status).toBe(400);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('31415926535');
  });
});

describe('an unknown operationName', () => {
  it('is not echoed back in the error', async () => {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', operationName: 'tsr_NotAnOperation' }),
    });
    expect(await response.text()).not.toContain('tsr_NotAnOperation');
  });
});
