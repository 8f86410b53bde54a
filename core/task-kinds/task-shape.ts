import { z } from 'zod';
import type { AnyTaskDefinition, ObjectSchema } from '../task-definition.js';

/**
 * A kind's input, result and progress as GraphQL can carry them, read from zod's own JSON Schema
 * of each (`z.toJSONSchema`): the one form that the API's types, the cost limit, `taskKinds` and
 * every client's forms share. What GraphQL cannot carry (a union, a record, a tuple, a value of
 * any type) fails here, naming the field.
 */

export type Scalar = 'Int' | 'Float' | 'String' | 'Boolean';

export type TypeShape =
  | { kind: 'scalar'; scalar: Scalar; bounds: string | null }
  | { kind: 'enum'; path: string; values: readonly string[] }
  | { kind: 'list'; of: TypeShape; maxItems: number; bounds: string | null }
  | ObjectShape;

export interface ObjectShape {
  kind: 'object';
  /** Where it is in the definition: `input`, `result.totals`, `progress`. */
  path: string;
  description: string | null;
  fields: readonly FieldShape[];
}

export interface FieldShape {
  name: string;
  /** Its `.describe()`, with its bounds written in ("… 1 to 300."), or null. */
  description: string | null;
  /** False for an optional field, or one with a default: null in GraphQL. */
  required: boolean;
  type: TypeShape;
}

export interface TaskShape {
  input: ObjectShape;
  result: ObjectShape;
  progress: ObjectShape | null;
  /** The JSON Schema documents `taskKinds` answers. */
  jsonSchemas: { input: JsonSchema; result: JsonSchema; progress: JsonSchema | null };
}

export type JsonSchema = Record<string, unknown>;

/** Bounds that only restate the type (zod's int32 and safe-integer ranges) are not written. */
const IMPLIED_BOUNDS = new Set([-2147483648, 2147483647, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

const count = (n: number) => n.toLocaleString('en-US');

/** "1 to 300", "at least 1", "at most 100 items", or null. */
function boundsText(min: unknown, max: unknown, unit = ''): string | null {
  const low = typeof min === 'number' && !IMPLIED_BOUNDS.has(min) ? min : null;
  const high = typeof max === 'number' && !IMPLIED_BOUNDS.has(max) ? max : null;
  const suffix = unit && ` ${unit}`;
  if (low !== null && high !== null) return `${count(low)} to ${count(high)}${suffix}`;
  if (low !== null) return `at least ${count(low)}${suffix}`;
  if (high !== null) return `at most ${count(high)}${suffix}`;
  return null;
}

class ShapeError extends Error {}

function typeOf(schema: JsonSchema, path: string): TypeShape {
  const fail = (what: string): never => {
    throw new ShapeError(
      `${path}: ${what} has no GraphQL form; use a string, number, integer, boolean, enum, array or object`,
    );
  };
  if (schema.$ref || schema.anyOf || schema.oneOf || schema.allOf) fail('a union, a nullable or a recursive schema');
  if (Array.isArray(schema.enum)) {
    const values = schema.enum as unknown[];
    if (!values.every((value) => typeof value === 'string' && GRAPHQL_NAME.test(value))) {
      fail(`an enum of ${JSON.stringify(values)} (values must be names such as SUM)`);
    }
    return { kind: 'enum', path, values: values as string[] };
  }
  if (Array.isArray(schema.type)) fail('a nullable (leave the field out with .optional() instead)');
  switch (schema.type) {
    case 'integer':
      return { kind: 'scalar', scalar: 'Int', bounds: boundsText(schema.minimum, schema.maximum) };
    case 'number':
      return { kind: 'scalar', scalar: 'Float', bounds: boundsText(schema.minimum, schema.maximum) };
    case 'string':
      return {
        kind: 'scalar',
        scalar: 'String',
        bounds: boundsText(schema.minLength, schema.maxLength, 'characters'),
      };
    case 'boolean':
      return { kind: 'scalar', scalar: 'Boolean', bounds: null };
    case 'array': {
      if (schema.prefixItems || typeof schema.items !== 'object') fail('a tuple');
      // What a task answers is counted by the cost limit, which needs to know how long a list may be.
      if (typeof schema.maxItems !== 'number') throw new ShapeError(`${path}: a list needs a longest length, .max(n)`);
      return {
        kind: 'list',
        of: typeOf(schema.items as JsonSchema, `${path}[]`),
        maxItems: schema.maxItems as number,
        bounds: boundsText(schema.minItems, schema.maxItems, 'items'),
      };
    }
    case 'object':
      return objectOf(schema, path);
    default:
      return fail(schema.type === undefined ? 'a value of any type' : `a ${JSON.stringify(schema.type)}`);
  }
}

function describedAs(schema: JsonSchema): string | null {
  return typeof schema.description === 'string' ? schema.description : null;
}

function withBounds(description: string | null, type: TypeShape): string | null {
  const bounds = type.kind === 'scalar' || type.kind === 'list' ? type.bounds : null;
  if (!bounds) return description;
  const sentence = bounds.charAt(0).toUpperCase() + bounds.slice(1) + '.';
  return description ? `${description.replace(/\.?$/, '.')} ${sentence}` : sentence;
}

function objectOf(schema: JsonSchema, path: string): ObjectShape {
  const extra = schema.additionalProperties;
  if (typeof extra === 'object' && extra !== null) throw new ShapeError(`${path}: a record has no GraphQL form`);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const fields = Object.entries(properties).map(([name, property]): FieldShape => {
    if (!GRAPHQL_NAME.test(name) || name.startsWith('__')) {
      throw new ShapeError(`${path}.${name}: a field's name must be a GraphQL name, such as wordCount`);
    }
    const type = typeOf(property, `${path}.${name}`);
    return { name, description: withBounds(describedAs(property), type), required: required.has(name), type };
  });
  if (fields.length === 0) throw new ShapeError(`${path}: an object needs at least one field`);
  return { kind: 'object', path, description: describedAs(schema), fields };
}

function jsonSchemaOf(schema: ObjectSchema, io: 'input' | 'output', path: string): JsonSchema {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'throw' }) as JsonSchema;
  } catch (error) {
    throw new ShapeError(`${path}: ${(error as Error).message}`);
  }
}

function shapeOf(definition: AnyTaskDefinition): TaskShape {
  const input = jsonSchemaOf(definition.input, 'input', 'input');
  // A task answers its input as parsed: a transform would answer another type than it takes.
  jsonSchemaOf(definition.input, 'output', 'input');
  const result = jsonSchemaOf(definition.result, 'output', 'result');
  const progress = definition.progress ? jsonSchemaOf(definition.progress, 'output', 'progress') : null;
  const object = (schema: JsonSchema, path: string) => {
    const shape = typeOf(schema, path);
    if (shape.kind !== 'object') throw new ShapeError(`${path}: must be z.object({...})`);
    return shape;
  };
  return {
    input: object(input, 'input'),
    result: object(result, 'result'),
    progress: progress && object(progress, 'progress'),
    jsonSchemas: { input, result, progress },
  };
}

const shapes = new WeakMap<AnyTaskDefinition, TaskShape>();

/** The kind's shape; throws, naming the field, when GraphQL cannot carry it. */
export function taskShapeOf(definition: AnyTaskDefinition): TaskShape {
  let shape = shapes.get(definition);
  if (!shape) {
    shape = shapeOf(definition);
    shapes.set(definition, shape);
  }
  return shape;
}
