// graphql-scalars' DateTime and EmailAddress. EmailAddress is wrapped so that a bad address
// is recognisable by type (not by message text) and its value is not echoed back, so that
// surrounding whitespace is trimmed before it is judged (the contract stores emails trimmed),
// so that an address longer than RFC 5321 allows is refused here, as input, rather than after
// a password hash and a trip to the database, and so that output is not judged again.
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { DateTimeResolver, EmailAddressResolver } from 'graphql-scalars';
import { EMAIL_MAX_LENGTH } from '../users/email.ts';

export class InvalidEmailAddressError extends TypeError {
  constructor() {
    super('That is not a valid email address.');
    this.name = 'InvalidEmailAddressError';
  }
}

function parseEmail(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidEmailAddressError();
  const trimmed = value.trim();
  if (trimmed.length > EMAIL_MAX_LENGTH) throw new InvalidEmailAddressError();
  try {
    return EmailAddressResolver.parseValue(trimmed) as string;
  } catch {
    throw new InvalidEmailAddressError();
  }
}

export const DateTime = DateTimeResolver;

/**
 * An address going out is one the server stored, and it was judged on its way in; graphql-scalars
 * would run its pattern again on every `email` of every response (and put the value in its
 * error's message if it ever failed). So output is only checked to be a string.
 */
export function serializeEmail(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('An EmailAddress must be a string.');
  return value;
}

export const EmailAddress = new GraphQLScalarType({
  ...EmailAddressResolver.toConfig(),
  serialize: serializeEmail,
  parseValue: parseEmail,
  parseLiteral(ast: ValueNode) {
    if (ast.kind !== Kind.STRING) throw new InvalidEmailAddressError();
    return parseEmail(ast.value);
  },
});
