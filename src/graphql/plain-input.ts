/**
 * An argument as plain data: type-graphql hands input objects over as instances of their classes,
 * and a kind's schema, the stored record and idempotency's digest all want plain objects and arrays.
 */
export function plainInput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainInput);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, plainInput(field)]));
  }
  return value;
}
