import { usageError } from './errors.js';
import type { CliTaskKindsQuery } from './graphql/generated/graphql.js';
import {
  describeType,
  fieldsOf,
  isScalarList,
  readSchema,
  scalarTypeOf,
  type JsonSchema,
  type SchemaField,
} from './kind-schema.js';
import { printable } from './printable.js';

export type CliTaskKind = CliTaskKindsQuery['taskKinds'][number];

/** A `--FIELD VALUE` of `create`; a flag given without a value (`--dry-run`) has none: a boolean's true. */
export interface FieldFlag {
  name: string;
  value: string | undefined;
}

/**
 * A task's input as typed after `create` or `schedule create`, before the kinds are known: the
 * kind, the positionals after it, the `--FIELD VALUE` flags and `--input JSON`.
 */
export interface KindArgs {
  kind: string;
  positionals: string[];
  fields: FieldFlag[];
  input?: string;
}

/** The name a person types: `sleep` for sleep_task. */
export function shortName(kind: string): string {
  return kind.replace(/_task$/, '');
}

/** `checkedUpTo`, `checked-up-to` and `checked_up_to` name one field. */
const comparable = (name: string) => name.replace(/[-_]/g, '').toLowerCase();

/** The kind `name` names: its own name, with or without `_task`, in snake or kebab case. */
export function findKind(kinds: readonly CliTaskKind[], name: string): CliTaskKind {
  const wanted = name.replace(/-/g, '_');
  const kind = kinds.find((known) => known.name === wanted || known.name === `${wanted}_task`);
  if (kind) return kind;
  const names = kinds.map((known) => shortName(known.name)).join(', ');
  throw usageError(`unknown kind of task "${name}": ${printable(names)} (task-service kinds describes them)`);
}

/** `DURATION`, `CHECKED_UP_TO`: a field as usage lines name it. */
function placeholder(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toUpperCase();
}

/** Whether the kind needs the field given: required, and with no default of its own. */
const needed = (field: SchemaField) => field.required && field.schema.default === undefined;

/**
 * What positionals after the kind stand for: its required scalar fields in their order, then, when
 * it has exactly one required list of scalars, that list takes the rest. So `create sleep 5` is a
 * duration, and `create calculation sum 1 2` an operation and its numbers.
 */
export function positionalFields(schema: JsonSchema): { each: SchemaField[]; rest?: SchemaField } {
  const required = fieldsOf(schema).filter(needed);
  const each = required.filter((field) => scalarTypeOf(field.schema) !== undefined && field.schema.const === undefined);
  const lists = required.filter((field) => isScalarList(field.schema));
  return { each, rest: lists.length === 1 ? lists[0] : undefined };
}

/** `create calculation OPERATION NUMBERS...`: a kind's usage, as `kinds` and usage errors print it. */
export function usageOf(kind: CliTaskKind, command = 'create'): string {
  const { each, rest } = positionalFields(readSchema(kind.inputSchema));
  const words = [command, shortName(kind.name), ...each.map((field) => placeholder(field.name))];
  if (rest) words.push(`${placeholder(rest.name)}...`);
  return printable(words.join(' '));
}

/** What a field is called in an error: the flag, or the positional's placeholder. */
type Given = { flag: string } | { positional: string };
const named = (given: Given) => ('flag' in given ? `--${given.flag}` : given.positional);

function scalar(schema: JsonSchema, text: string | undefined, given: Given): unknown {
  const what = named(given);
  const type = scalarTypeOf(schema);
  if (text === undefined) {
    if (type === 'boolean') return true;
    throw usageError(`${what} needs a value`);
  }
  switch (type) {
    case 'integer': {
      const value = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(value)) throw usageError(`${what} must be a whole number, not "${printable(text)}"`);
      return value;
    }
    case 'number': {
      const value = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(value)) throw usageError(`${what} must be a number, not "${printable(text)}"`);
      return value;
    }
    case 'boolean': {
      const word = text.toLowerCase();
      if (['true', 'yes', '1', 'on'].includes(word)) return true;
      if (['false', 'no', '0', 'off'].includes(word)) return false;
      throw usageError(`${what} must be true or false, not "${printable(text)}"`);
    }
    case 'enum': {
      const values = schema.enum as readonly string[];
      const match =
        values.find((value) => value === text) ?? values.find((v) => v.toLowerCase() === text.toLowerCase());
      if (match !== undefined) return match;
      const choices = values.map((value) => value.toLowerCase()).join(', ');
      throw usageError(`${what} must be one of ${printable(choices)}, not "${printable(text)}"`);
    }
    case 'string':
      return text;
    default:
      return json(text, what);
  }
}

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw usageError(`${what} must be JSON, not "${printable(text)}"`);
  }
}

/**
 * A value typed for a field, as its schema wants it: a scalar as its type, a list of scalars as a
 * comma-separated list (`--numbers 1,2,3`; `--numbers ''` is the empty list), anything else as JSON.
 * `null` is null for a field that may be null.
 */
function fieldValue(schema: JsonSchema, text: string | undefined, given: Given): unknown {
  if (schema.nullable && text === 'null') return null;
  if (scalarTypeOf(schema) !== undefined) return scalar(schema, text, given);
  if (isScalarList(schema)) {
    if (text === undefined) throw usageError(`${named(given)} needs a value`);
    const items = text.trim() === '' ? [] : text.split(',').map((item) => item.trim());
    return items.map((item) => scalar(schema.items!, item, given));
  }
  if (text === undefined) throw usageError(`${named(given)} needs a value`);
  return json(text, named(given));
}

/** The field a flag names (`--address.city` a field of a field), and its schema; a usage error if none. */
function fieldAt(schema: JsonSchema, flag: string, kind: CliTaskKind): { path: string[]; schema: JsonSchema } {
  const path: string[] = [];
  let current = schema;
  for (const part of flag.split('.')) {
    const field = fieldsOf(current).find((known) => comparable(known.name) === comparable(part));
    if (!field) {
      const fields = fieldsOf(current).map((known) => `--${known.name}`);
      const known = fields.length > 0 ? `: its fields are ${fields.join(', ')}` : '';
      throw usageError(`${printable(kind.name)} has no field --${printable(flag)}${printable(known)}`);
    }
    path.push(field.name);
    current = field.schema;
  }
  return { path, schema: current };
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let object = target;
  for (const key of path.slice(0, -1)) {
    const next = object[key];
    object = object[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? { ...next } : {};
  }
  object[path.at(-1)!] = value;
}

/**
 * The input of a task of `kind` from what was typed: `--input JSON` first, then the positionals and
 * the `--FIELD VALUE` flags over it, each value made what the kind's JSON Schema says the field is.
 * Whether the values are within bounds is the server's to say (BAD_USER_INPUT names the field);
 * what cannot even be sent (a word for a number, an unknown field, a required field given nowhere)
 * is a usage error here.
 */
export function taskInputOf(kind: CliTaskKind, args: KindArgs, command = 'create'): Record<string, unknown> {
  const schema = readSchema(kind.inputSchema);
  const usage = () => `usage: task-service ${usageOf(kind, command)} [--FIELD VALUE...] [--input JSON]`;
  const input: Record<string, unknown> = {};
  if (args.input !== undefined) {
    const given = json(args.input, '--input');
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw usageError('--input must be a JSON object, such as {"duration": 5}');
    }
    Object.assign(input, given);
  }

  const { each, rest } = positionalFields(schema);
  const setBy = new Map<string, string>();
  const set = (path: string[], value: unknown, by: string) => {
    const key = path.join('.');
    const earlier = setBy.get(key);
    if (earlier) throw usageError(`${printable(path.join('.'))} is given twice (${earlier} and ${by})`);
    setBy.set(key, by);
    setAt(input, path, value);
  };
  if (args.positionals.length > each.length && !rest) throw usageError(usage());
  args.positionals.slice(0, each.length).forEach((text, i) => {
    const field = each[i]!;
    const given = { positional: placeholder(field.name) };
    set([field.name], fieldValue(field.schema, text, given), given.positional);
  });
  if (rest && args.positionals.length > 0) {
    const given = { positional: placeholder(rest.name) };
    const items = args.positionals.slice(each.length).map((text) => scalar(rest.schema.items!, text, given));
    set([rest.name], items, `${given.positional}...`);
  }
  for (const flag of args.fields) {
    const field = fieldAt(schema, flag.name, kind);
    set(field.path, fieldValue(field.schema, flag.value, { flag: flag.name }), `--${flag.name}`);
  }

  const missing = fieldsOf(schema).filter((field) => needed(field) && !(field.name in input));
  if (missing.length > 0) {
    const names = missing.map((field) => placeholder(field.name)).join(', ');
    throw usageError([`${printable(kind.name)} needs ${printable(names)}`, usage()]);
  }
  return input;
}

/** The lines `kinds` prints for a kind: its name, where it runs and what it does, its usage and fields. */
export function describeKind(kind: CliTaskKind): { head: string[]; fields: string[][] } {
  const schema = readSchema(kind.inputSchema);
  const fields = fieldsOf(schema).map((field) => [
    `  --${field.name}`,
    [describeType(field.schema), needed(field) ? '' : 'optional'].filter(Boolean).join(', '),
    field.schema.description ?? '',
  ]);
  return {
    head: [`${kind.name} (${kind.isolation.toLowerCase()}): ${kind.description}`, `  ${usageOf(kind)}`],
    fields,
  };
}
