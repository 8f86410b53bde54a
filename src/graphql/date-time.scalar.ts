import { GraphQLScalarType } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';

/** graphql-scalars' DateTimeISO under the name the contract gives it. */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTimeISO.toConfig(),
  name: 'DateTime',
  description: 'A date and time as an ISO-8601 string in UTC, such as 2026-01-31T12:00:00.000Z.',
});
