/**
 * The part of JSON Schema that a kind's `inputSchema` uses (what zod 4's `z.toJSONSchema` writes for
 * objects, strings, numbers, booleans, enums, literals, arrays and optionals), read defensively: the
 * schema comes from the server, and anything unexpected in it reads as "any JSON value".
 */
export interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  items?: JsonSchema;
  enum?: readonly unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  examples?: readonly unknown[];
  /** Set when the value may also be null (zod's `.nullable()`, written as `anyOf` with `{ type: 'null' }`). */
  nullable?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const string = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Fields of fields deeper than this are read as any JSON: a schema nested without end cannot exhaust the stack. */
const MAX_DEPTH = 32;

/** A schema from the server as this module reads it: known keywords of the right types, nothing else. */
export function readSchema(value: unknown, depth = 0): JsonSchema {
  if (!isRecord(value) || depth > MAX_DEPTH) return {};
  // `anyOf: [X, { type: 'null' }]`: X, nullable.
  if (Array.isArray(value.anyOf)) {
    const options = value.anyOf.filter(isRecord);
    const nonNull = options.filter((option) => option.type !== 'null');
    if (nonNull.length === 1 && options.length === 2) {
      return {
        ...readSchema({ ...nonNull[0], description: value.description ?? nonNull[0]!.description }, depth + 1),
        nullable: true,
      };
    }
    return { description: string(value.description) };
  }
  // `type: ['string', 'null']`: a string, nullable.
  if (Array.isArray(value.type)) {
    const types = value.type.filter((type) => type !== 'null');
    const nullable = types.length < value.type.length;
    return { ...readSchema({ ...value, type: types.length === 1 ? types[0] : undefined }, depth + 1), nullable };
  }
  const properties = isRecord(value.properties)
    ? Object.fromEntries(Object.entries(value.properties).map(([name, field]) => [name, readSchema(field, depth + 1)]))
    : undefined;
  return {
    type: string(value.type),
    description: string(value.description),
    properties,
    required: Array.isArray(value.required) ? value.required.filter((name) => typeof name === 'string') : undefined,
    items: value.items === undefined ? undefined : readSchema(value.items, depth + 1),
    enum: Array.isArray(value.enum) ? value.enum : undefined,
    const: value.const,
    minimum: number(value.minimum),
    maximum: number(value.maximum),
    exclusiveMinimum: number(value.exclusiveMinimum),
    exclusiveMaximum: number(value.exclusiveMaximum),
    minLength: number(value.minLength),
    maxLength: number(value.maxLength),
    minItems: number(value.minItems),
    maxItems: number(value.maxItems),
    default: value.default,
    examples: Array.isArray(value.examples) ? value.examples : undefined,
  };
}

export interface SchemaField {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** An object schema's fields, in the order the kind declares them. */
export function fieldsOf(schema: JsonSchema): SchemaField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, field]) => ({
    name,
    schema: field,
    required: required.has(name),
  }));
}

/** A value typed on a command line becomes one of these; anything else is given as JSON. */
export type ScalarType = 'integer' | 'number' | 'boolean' | 'string' | 'enum';

export function scalarTypeOf(schema: JsonSchema): ScalarType | undefined {
  if (schema.enum && schema.enum.every((value) => typeof value === 'string')) return 'enum';
  switch (schema.type) {
    case 'integer':
    case 'number':
    case 'boolean':
    case 'string':
      return schema.type;
    default:
      return undefined;
  }
}

/** A list of scalars: given as a comma-separated list (or as positionals), not as JSON. */
export function isScalarList(schema: JsonSchema): boolean {
  return schema.type === 'array' && schema.items !== undefined && scalarTypeOf(schema.items) !== undefined;
}

/**
 * Bounds at the range of a 32-bit or a safe integer say "any whole number", not a bound someone
 * chose: they are left out of what is shown.
 */
function chosen(bound: number | undefined): number | undefined {
  return bound !== undefined && Math.abs(bound) < 2 ** 31 - 1 ? bound : undefined;
}

/** "1 to 300", "at least 2", "at most 10", or '' when unbounded. */
export function range(min: number | undefined, max: number | undefined, unit = ''): string {
  // `1 item`, `2 items`: the unit as the last number says it.
  const of = (last: number) => (unit ? ` ${last === 1 ? unit.replace(/s$/, '') : unit}` : '');
  if (min !== undefined && max !== undefined)
    return min === max ? `exactly ${min}${of(min)}` : `${min} to ${max}${of(max)}`;
  if (min !== undefined) return `at least ${min}${of(min)}`;
  if (max !== undefined) return `at most ${max}${of(max)}`;
  return '';
}

function numberRange(schema: JsonSchema): string {
  const parts = [range(chosen(schema.minimum), chosen(schema.maximum))];
  if (chosen(schema.exclusiveMinimum) !== undefined) parts.push(`above ${schema.exclusiveMinimum}`);
  if (chosen(schema.exclusiveMaximum) !== undefined) parts.push(`below ${schema.exclusiveMaximum}`);
  return parts.filter(Boolean).join(', ');
}

/** What a field takes, in words: `integer, 1 to 300`, `SUM | PRODUCT | AVERAGE`, `list of integers, 1 to 100`. */
export function describeType(schema: JsonSchema): string {
  if (schema.const !== undefined) return `always ${JSON.stringify(schema.const)}`;
  const scalar = scalarTypeOf(schema);
  const parts: string[] = [];
  switch (scalar) {
    case 'enum':
      parts.push(schema.enum!.join(' | '));
      break;
    case 'integer':
    case 'number':
      parts.push(scalar, numberRange(schema));
      break;
    case 'string':
      parts.push('text', range(schema.minLength, schema.maxLength, 'characters'));
      break;
    case 'boolean':
      parts.push('true | false');
      break;
    default:
      if (schema.type === 'array') {
        // `list of integer (each 1 to 9), 1 to 100 items`
        const items = schema.items ? describeType(schema.items).split(', ') : ['JSON'];
        const each = items.length > 1 ? ` (each ${items.slice(1).join(', ')})` : '';
        parts.push(`list of ${items[0]}${each}`, range(schema.minItems, schema.maxItems, 'items'));
      } else if (schema.type === 'object') {
        parts.push('object (JSON)');
      } else {
        parts.push('JSON');
      }
  }
  if (schema.nullable) parts.push('or null');
  return parts.filter(Boolean).join(', ');
}
