/**
 * A JSON Schema as `taskKinds` answers it (zod's `z.toJSONSchema`): the keywords the dashboard's
 * forms and the playground's examples read, each unchecked until read.
 */
export interface JsonSchema {
  type?: unknown;
  description?: unknown;
  properties?: unknown;
  required?: unknown;
  items?: unknown;
  enum?: unknown;
  const?: unknown;
  anyOf?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  exclusiveMinimum?: unknown;
  exclusiveMaximum?: unknown;
  minLength?: unknown;
  maxLength?: unknown;
  minItems?: unknown;
  maxItems?: unknown;
  default?: unknown;
  examples?: unknown;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const asSchema = (value: unknown): JsonSchema => (isRecord(value) ? (value as JsonSchema) : {});

/** The schema without its `null` option (zod's `.nullable()`), and whether it had one. */
export function withoutNull(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  if (Array.isArray(schema.type) && schema.type.includes('null')) {
    const types = schema.type.filter((type) => type !== 'null');
    return { schema: { ...schema, type: types.length === 1 ? types[0] : undefined }, nullable: true };
  }
  if (Array.isArray(schema.anyOf)) {
    const options = schema.anyOf.filter(isRecord) as JsonSchema[];
    const other = options.filter((option) => option.type !== 'null');
    if (options.length === 2 && other.length === 1) {
      return { schema: { ...other[0], description: schema.description ?? other[0]!.description }, nullable: true };
    }
  }
  return { schema, nullable: false };
}
