/**
 * A kind's input form, read from the JSON Schema `taskKinds` answers (what zod 4's `z.toJSONSchema`
 * writes): one field per property, its control chosen by its type, its label and bounds from the
 * schema. The schema comes from the server at run time, so a kind added to the service gets its
 * form with no change here; anything this does not know how to draw is typed as JSON.
 */

import { isRecord, withoutNull, type JsonSchema } from '../graphql/json-schema.js';

type Scalar = 'integer' | 'number' | 'string' | 'boolean';

interface FieldBase {
  /** The property's name, and where the server's problems name it: `input.duration`, `input.address.city`. */
  name: string;
  path: string;
  label: string;
  description: string | undefined;
  required: boolean;
  nullable: boolean;
  /** The value the form starts with: the schema's default or first example, else one within bounds. */
  initial: FormValue;
}

export type KindField =
  | (FieldBase & { control: 'number'; integer: boolean; min?: number; max?: number })
  | (FieldBase & { control: 'text'; minLength?: number; maxLength?: number })
  | (FieldBase & { control: 'checkbox' })
  | (FieldBase & { control: 'select'; options: readonly string[] })
  /** A list of numbers (`1, 2, 3`) or of text (a line each). */
  | (FieldBase & { control: 'list'; item: Scalar; min?: number; max?: number; itemMin?: number; itemMax?: number })
  /** A list of an enum's values: a checkbox each. */
  | (FieldBase & { control: 'choices'; options: readonly string[] })
  | (FieldBase & { control: 'object'; fields: KindField[] })
  | (FieldBase & { control: 'json' })
  /** A literal: nothing to type, always sent. */
  | (FieldBase & { control: 'const'; value: unknown });

/** What a field holds as typed: text, a checkbox, the choices ticked, or a nested object's fields. */
export type FormValue = string | boolean | readonly string[] | FormValues;
export interface FormValues {
  readonly [name: string]: FormValue;
}

const numberOf = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const stringsOf = (value: unknown) =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;

/** Deeper than this, a field is typed as JSON: a schema nested without end draws no endless form. */
const MAX_DEPTH = 4;

/** `checkedUpTo` and `checked_up_to` read "Checked up to". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A bound at the range of a 32-bit or a safe integer says "any whole number", not a bound the kind
 * chose: it is enforced, not written in the label.
 */
const chosen = (bound: number | undefined) =>
  bound !== undefined && Math.abs(bound) < 2 ** 31 - 1 ? bound : undefined;

const count = (value: number) => value.toLocaleString('en-US');

/** "1 to 300", "at least 2", "at most 10 characters"; '' when unbounded. */
export function range(min: number | undefined, max: number | undefined, unit = ''): string {
  // `1 character`, `2 characters`: the unit as the last number says it.
  const of = (last: number) => (unit ? ` ${last === 1 ? unit.replace(/s$/, '') : unit}` : '');
  if (min !== undefined && max !== undefined)
    return min === max ? `exactly ${count(min)}${of(min)}` : `${count(min)} to ${count(max)}${of(max)}`;
  if (min !== undefined) return `at least ${count(min)}${of(min)}`;
  if (max !== undefined) return `at most ${count(max)}${of(max)}`;
  return '';
}

function scalarOf(schema: JsonSchema): Scalar | undefined {
  const { type } = schema;
  return type === 'integer' || type === 'number' || type === 'string' || type === 'boolean' ? type : undefined;
}

/** What a list's label counts: `1 to 100 integers`; text is typed a line an item. */
const plural: Record<Scalar, string> = { integer: 'integers', number: 'numbers', string: 'lines', boolean: 'values' };

/** A number within the bounds, near zero: a starting value that the kind accepts. */
function withinBounds(min: number | undefined, max: number | undefined): number {
  return Math.min(Math.max(0, min ?? 0), max ?? Number.MAX_SAFE_INTEGER);
}

/** A value from the schema as the form holds it. */
function asFormValue(field: KindField, value: unknown): FormValue | undefined {
  switch (field.control) {
    case 'number':
    case 'text':
    case 'select':
      return typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;
    case 'checkbox':
      return typeof value === 'boolean' ? value : undefined;
    case 'list':
      return Array.isArray(value) ? value.map(String).join(field.item === 'string' ? '\n' : ', ') : undefined;
    case 'choices':
      return stringsOf(value);
    case 'json':
      return value === undefined ? undefined : JSON.stringify(value);
    default:
      return undefined;
  }
}

function initialOf(field: KindField, schema: JsonSchema): FormValue {
  const given = asFormValue(field, Array.isArray(schema.examples) ? schema.examples[0] : undefined);
  const fallback = asFormValue(field, schema.default);
  if (given !== undefined) return given;
  if (fallback !== undefined) return fallback;
  switch (field.control) {
    case 'number':
      return field.required ? String(withinBounds(field.min, field.max)) : '';
    case 'checkbox':
      return false;
    case 'select':
      return field.required ? field.options[0]! : '';
    case 'choices':
      return [];
    case 'object':
      return Object.fromEntries(field.fields.map((child) => [child.name, child.initial]));
    default:
      return '';
  }
}

function labelOf(name: string, bounds: string, required: boolean): string {
  const notes = [bounds, required ? '' : 'optional'].filter(Boolean).join(', ');
  return notes ? `${humanize(name)} (${notes})` : humanize(name);
}

function fieldOf(name: string, path: string, raw: unknown, required: boolean, depth: number): KindField {
  const { schema, nullable } = withoutNull(isRecord(raw) ? (raw as JsonSchema) : {});
  const description = typeof schema.description === 'string' ? schema.description : undefined;
  const base = { name, path, description, required, nullable };
  const options = stringsOf(schema.enum);
  const scalar = scalarOf(schema);
  let field: KindField;
  if (schema.const !== undefined) {
    field = { ...base, control: 'const', value: schema.const, label: humanize(name), initial: '' };
  } else if (options && options.length > 0) {
    field = { ...base, control: 'select', options, label: labelOf(name, '', required), initial: '' };
  } else if (scalar === 'integer' || scalar === 'number') {
    const min = numberOf(schema.minimum) ?? numberOf(schema.exclusiveMinimum);
    const max = numberOf(schema.maximum) ?? numberOf(schema.exclusiveMaximum);
    const bounds = range(chosen(min), chosen(max));
    field = {
      ...base,
      control: 'number',
      integer: scalar === 'integer',
      min,
      max,
      label: labelOf(name, bounds, required),
      initial: '',
    };
  } else if (scalar === 'string') {
    const minLength = numberOf(schema.minLength);
    const maxLength = numberOf(schema.maxLength);
    const bounds = range(minLength || undefined, maxLength, 'characters');
    field = { ...base, control: 'text', minLength, maxLength, label: labelOf(name, bounds, required), initial: '' };
  } else if (scalar === 'boolean') {
    field = { ...base, control: 'checkbox', label: labelOf(name, '', required), initial: false };
  } else if (schema.type === 'array' && isRecord(schema.items)) {
    const items = withoutNull(schema.items as JsonSchema).schema;
    const itemOptions = stringsOf(items.enum);
    const item = scalarOf(items);
    const min = numberOf(schema.minItems);
    const max = numberOf(schema.maxItems);
    if (itemOptions && itemOptions.length > 0) {
      const bounds = range(min || undefined, max, 'choices');
      field = {
        ...base,
        control: 'choices',
        options: itemOptions,
        label: labelOf(name, bounds, required),
        initial: [],
      };
    } else if (item && item !== 'boolean') {
      const bounds = range(min || undefined, max, plural[item]) || plural[item];
      const itemMin = numberOf(items.minimum);
      const itemMax = numberOf(items.maximum);
      field = {
        ...base,
        control: 'list',
        item,
        min,
        max,
        itemMin,
        itemMax,
        label: labelOf(name, bounds, required),
        initial: '',
      };
    } else {
      field = { ...base, control: 'json', label: labelOf(name, 'JSON', required), initial: '' };
    }
  } else if (schema.type === 'object' && isRecord(schema.properties) && depth < MAX_DEPTH) {
    const fields = fieldsOf(schema, path, depth + 1);
    field = { ...base, control: 'object', fields, label: labelOf(name, '', required), initial: {} };
  } else {
    field = { ...base, control: 'json', label: labelOf(name, 'JSON', required), initial: '' };
  }
  return { ...field, initial: initialOf(field, schema) } as KindField;
}

function fieldsOf(schema: JsonSchema, path: string, depth: number): KindField[] {
  const required = new Set(stringsOf(schema.required) ?? []);
  const properties = isRecord(schema.properties) ? schema.properties : {};
  return Object.entries(properties).map(([name, property]) =>
    fieldOf(name, `${path}.${name}`, property, required.has(name), depth),
  );
}

/** The fields of a kind's input form, from its `inputSchema`; none when it is not an object schema. */
export function kindFields(inputSchema: unknown): KindField[] {
  return isRecord(inputSchema) ? fieldsOf(inputSchema as JsonSchema, 'input', 0) : [];
}

/** The form's starting values, by field name (a nested object's as an object). */
export function initialValues(fields: readonly KindField[]): FormValues {
  return Object.fromEntries(fields.map((field) => [field.name, field.initial]));
}

/** Every path a problem may name: each field's, a nested object's own and its fields'. */
export function fieldPaths(fields: readonly KindField[]): string[] {
  return fields.flatMap((field) => [field.path, ...(field.control === 'object' ? fieldPaths(field.fields) : [])]);
}

export const NUMBERS_HINT = 'Write whole numbers separated by commas or spaces';

/** What a field holds, as the input sends it (`undefined`: left out); or why it cannot be sent, by path. */
type Parsed = { value: unknown } | { errors: Record<string, string> };

function parseNumber(text: string, integer: boolean): number | undefined {
  const pattern = integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  return pattern.test(text) ? Number(text) : undefined;
}

function parseField(field: KindField, value: FormValue | undefined): Parsed {
  const wrong = (message: string): Parsed => ({ errors: { [field.path]: message } });
  const text = typeof value === 'string' ? value.trim() : '';
  if (field.nullable && text === 'null' && field.control !== 'text') return { value: null };
  switch (field.control) {
    case 'const':
      return { value: field.value };
    case 'number': {
      if (text === '') return { value: undefined };
      const number = parseNumber(text, field.integer);
      return number === undefined
        ? wrong(field.integer ? 'Write a whole number' : 'Write a number')
        : { value: number };
    }
    case 'text':
      return { value: value === '' && !field.required ? undefined : value };
    case 'checkbox':
      return { value: value === true };
    case 'select':
      return { value: text === '' ? undefined : text };
    case 'choices':
      return { value: Array.isArray(value) ? value : [] };
    case 'list': {
      if (field.item === 'string') {
        return { value: typeof value === 'string' ? value.split('\n').filter((line) => line.trim() !== '') : [] };
      }
      const parts = text.split(/[\s,;]+/).filter(Boolean);
      const numbers = parts.map((part) => parseNumber(part, field.item === 'integer'));
      if (numbers.some((number) => number === undefined)) {
        return wrong(field.item === 'integer' ? NUMBERS_HINT : 'Write numbers separated by commas or spaces');
      }
      return { value: numbers };
    }
    case 'json':
      if (text === '') return { value: undefined };
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        return wrong('Write JSON');
      }
    case 'object': {
      const nested = typeof value === 'object' && !Array.isArray(value) ? (value as FormValues) : {};
      const built = buildInput(field.fields, nested);
      if ('errors' in built) return built;
      const empty = Object.keys(built.input).length === 0;
      return { value: empty && !field.required ? undefined : built.input };
    }
  }
}

/**
 * The input the form's values make, as `createTask` takes it, or what cannot be sent (a word in a
 * number field) by path. Bounds are the server's to check: its messages are the kind's own.
 */
export function buildInput(
  fields: readonly KindField[],
  values: FormValues,
): { input: Record<string, unknown> } | { errors: Record<string, string> } {
  const input: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const parsed = parseField(field, values[field.name]);
    if ('errors' in parsed) Object.assign(errors, parsed.errors);
    else if (parsed.value !== undefined) input[field.name] = parsed.value;
  }
  return Object.keys(errors).length > 0 ? { errors } : { input };
}
