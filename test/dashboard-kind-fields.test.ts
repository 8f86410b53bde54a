import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildInput,
  fieldPaths,
  initialValues,
  kindFields,
  type FormValues,
  type KindField,
} from '../client/src/dashboard/kind-fields.js';

/** A kind's input of every shape zod writes, as the API's taskKinds answers it (z.toJSONSchema). */
const input = z.object({
  title: z.string().min(1).max(40).describe('What it is called.'),
  text: z.string().max(100_000),
  count: z.int().min(1).max(2_000_000_000).describe('How many.'),
  ratio: z.number().optional(),
  loud: z.boolean(),
  mode: z.enum(['FAST', 'SLOW']),
  level: z.enum(['LOW', 'HIGH']).optional(),
  retries: z.int().min(0).max(5).default(3),
  size: z
    .int()
    .min(1)
    .meta({ examples: [64] }),
  numbers: z.array(z.int32()).min(1).max(100),
  tags: z.array(z.string()).max(5),
  days: z.array(z.enum(['MON', 'TUE', 'WED'])).min(1),
  address: z.object({ city: z.string(), zip: z.string().optional() }),
  items: z.array(z.object({ id: z.int() })).optional(),
  note: z.string().nullable().optional(),
  fixed: z.literal('v1'),
});
const schema = z.toJSONSchema(input);

const byName = (fields: readonly KindField[]) => Object.fromEntries(fields.map((field) => [field.name, field]));

describe("the dashboard's form of a kind, read from its JSON Schema", () => {
  it('should draw a control for each field by its type, labelled with its name, its bounds and whether it is optional', () => {
    const fields = byName(kindFields(schema));
    const shown = Object.fromEntries(Object.values(fields).map((field) => [field.name, [field.control, field.label]]));
    expect(shown).toEqual({
      title: ['text', 'Title (1 to 40 characters)'],
      text: ['text', 'Text (at most 100,000 characters)'],
      count: ['number', 'Count (1 to 2,000,000,000)'],
      ratio: ['number', 'Ratio (optional)'],
      loud: ['checkbox', 'Loud'],
      mode: ['select', 'Mode'],
      level: ['select', 'Level (optional)'],
      retries: ['number', 'Retries (0 to 5)'],
      size: ['number', 'Size (at least 1)'],
      numbers: ['list', 'Numbers (1 to 100 integers)'],
      tags: ['list', 'Tags (at most 5 lines)'],
      days: ['choices', 'Days (at least 1 choice)'],
      address: ['object', 'Address'],
      items: ['json', 'Items (JSON, optional)'],
      note: ['text', 'Note (optional)'],
      fixed: ['const', 'Fixed'],
    });
    expect(fields.count).toMatchObject({ integer: true, min: 1, max: 2_000_000_000, description: 'How many.' });
    // A 32-bit integer's bounds are enforced, not written in the label.
    expect(fields.numbers).toMatchObject({
      item: 'integer',
      min: 1,
      max: 100,
      itemMin: -(2 ** 31),
      itemMax: 2 ** 31 - 1,
    });
    expect(fields.note).toMatchObject({ nullable: true });
    expect(fieldPaths(Object.values(fields))).toEqual(expect.arrayContaining(['input.address', 'input.address.city']));
  });

  it('should start with the default, the first example or a value within bounds, and make from them an input the kind accepts once its lists are filled', () => {
    const fields = kindFields(schema);
    const values = initialValues(fields);
    expect(values).toMatchObject({
      count: '1',
      retries: '3',
      size: '64',
      loud: false,
      mode: 'FAST',
      level: '',
      numbers: '',
      days: [],
      address: { city: '', zip: '' },
    });
    const filled: FormValues = {
      ...values,
      title: 'A title',
      numbers: '1, -2 3',
      tags: 'one\n\ntwo words\n',
      days: ['MON', 'WED'],
      address: { city: 'Paris', zip: '' },
      items: '[{"id": 1}]',
    };
    const built = buildInput(fields, filled);
    expect(built).toEqual({
      input: {
        title: 'A title',
        text: '',
        count: 1,
        loud: false,
        mode: 'FAST',
        retries: 3,
        size: 64,
        numbers: [1, -2, 3],
        tags: ['one', 'two words'],
        days: ['MON', 'WED'],
        address: { city: 'Paris' },
        items: [{ id: 1 }],
        fixed: 'v1',
      },
    });
    expect(input.safeParse((built as { input: unknown }).input).success).toBe(true);
    // Optional fields left empty are left out; `null` is null where the field may be null.
    const nulled = buildInput(fields, { ...filled, note: 'null', ratio: '0.25', level: 'HIGH' });
    expect(nulled).toMatchObject({ input: { note: 'null', ratio: 0.25, level: 'HIGH' } });
  });

  it('should refuse what cannot be sent under its field, leaving bounds to the server', () => {
    const fields = kindFields(schema);
    const values: FormValues = {
      ...initialValues(fields),
      count: '1.5',
      ratio: 'half',
      numbers: '1, two',
      items: '[{',
      address: { city: 'Oslo', zip: '' },
    };
    expect(buildInput(fields, values)).toEqual({
      errors: {
        'input.count': 'Write a whole number',
        'input.ratio': 'Write a number',
        'input.numbers': 'Write whole numbers separated by commas or spaces',
        'input.items': 'Write JSON',
      },
    });
    // Out of bounds is sent: the kind's own message comes back for it.
    expect(buildInput(fields, { ...initialValues(fields), count: '0', numbers: '1' })).toMatchObject({
      input: { count: 0 },
    });
  });

  it('should read a schema that is not what it expects as one of no fields, or of fields typed as JSON', () => {
    for (const odd of [null, 'text', 42, [], { properties: 'x' }]) expect(kindFields(odd)).toEqual([]);
    let deep: unknown = { type: 'string' };
    for (let i = 0; i < 10_000; i++) deep = { type: 'object', properties: { a: deep }, required: ['a'] };
    const nested = kindFields(deep);
    expect(nested[0]).toMatchObject({ control: 'object', path: 'input.a' });
    const paths = fieldPaths(nested);
    expect(paths.length).toBeLessThan(10);
    const last = paths.at(-1)!;
    expect(last.split('.').length).toBeLessThan(10);
  });
});
