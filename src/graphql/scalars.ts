// graphql-scalars' DateTime and EmailAddress. EmailAddress is wrapped so that a bad address
// is recognisable by type (not by message text) and its value is not echoed back.
import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, EmailAddressResolver } from 'graphql-scalars';

export class InvalidEmailAddressError extends TypeError {
  constructor() {
    super('That is not a valid email address.');
    this.name = 'InvalidEmailAddressError';
  }
}

function rethrowing<A extends unknown[], R>(parse: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return parse(...args);
    } catch {
      throw new InvalidEmailAddressError();
    }
  };
}

export const DateTime = DateTimeResolver;

export const EmailAddress = new GraphQLScalarType({
  ...EmailAddressResolver.toConfig(),
  parseValue: rethrowing(EmailAddressResolver.parseValue.bind(EmailAddressResolver)),
  parseLiteral: rethrowing(EmailAddressResolver.parseLiteral.bind(EmailAddressResolver)),
});
