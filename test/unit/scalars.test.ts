import { describe, expect, it } from 'vitest';
import { serializeEmail } from '../../src/graphql/scalars.ts';

describe('EmailAddress output', () => {
  it('goes out exactly as stored, without being judged again', () => {
    // A stored address is sent as it is, whatever graphql-scalars' pattern would say of it.
    for (const stored of ['ada@example.com', 'o\u2019brien@example.com', 'a+tag@sub.example.org']) {
      expect(serializeEmail(stored)).toBe(stored);
    }
  });

  it('refuses a value that is not a string, without echoing it', () => {
    expect(() => serializeEmail(42)).toThrow('An EmailAddress must be a string.');
    expect(() => serializeEmail({ email: 'x@example.com' })).toThrow(/^An EmailAddress/);
  });
});
