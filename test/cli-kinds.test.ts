import { taskKinds } from '../core/task-kinds/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { outcome } from '../cli/format.js';
import { CliTaskProgressDocument } from '../cli/graphql/generated/graphql.js';
import { readGraphQLAnswer } from '../cli/graphql-answer.js';
import { describeKind, taskInputOf, usageOf, type CliTaskKind, type KindArgs } from '../cli/kind-input.js';
import { readSchema, type JsonSchema } from '../cli/kind-schema.js';
import { runCli } from './support/cli.js';
import { gqlData } from './support/graphql.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';

/** A kind as taskKinds answers it, its input schema written by zod as the API writes it. */
function kindOf(name: string, input: z.ZodObject): CliTaskKind {
  return {
    name,
    typeName: 'DemoTask',
    description: 'A kind of every field type.',
    isolation: 'INLINE',
    inputSchema: z.toJSONSchema(input),
    resultSchema: {},
    progressSchema: null,
  };
}

const demoInput = z.object({
  title: z.string().min(1).max(40).describe('What it is called.'),
  count: z.int().min(1).max(10),
  loud: z.boolean(),
  mode: z.enum(['FAST', 'SLOW']),
  retries: z.int().min(0).default(3),
  tags: z.array(z.string()).max(5),
  ratio: z.number().optional(),
  maxRetries: z.int().min(0).optional(),
  weights: z.array(z.number()).optional(),
  address: z.object({ city: z.string(), zip: z.string().optional() }),
  items: z.array(z.object({ id: z.int() })).optional(),
  note: z.string().nullable().optional(),
  level: z.int().min(1).nullable().optional(),
});
const demo = kindOf('demo_task', demoInput);
const args = (rest: Partial<KindArgs>): KindArgs => ({ kind: 'demo', positionals: [], fields: [], ...rest });

describe("the command line's input from a kind's JSON Schema", () => {
  it('should take the required scalars as positionals in order, then the one required list, and the rest as --FIELD flags', () => {
    const input = taskInputOf(
      demo,
      args({
        positionals: ['Hello, world', '3', 'yes', 'fast', 'a', 'b c'],
        fields: [
          { name: 'address.city', value: 'Paris' },
          { name: 'ratio', value: '0.5' },
          { name: 'max-retries', value: '2' },
          { name: 'weights', value: '1.5, -2' },
          { name: 'items', value: '[{"id":1}]' },
          { name: 'note', value: 'null' },
          { name: 'level', value: '4' },
        ],
      }),
    );
    expect(input).toEqual({
      title: 'Hello, world',
      count: 3,
      loud: true,
      mode: 'FAST',
      tags: ['a', 'b c'],
      address: { city: 'Paris' },
      ratio: 0.5,
      maxRetries: 2,
      weights: [1.5, -2],
      items: [{ id: 1 }],
      note: null,
      level: 4,
    });
    expect(demoInput.parse(input)).toEqual({ ...input, retries: 3 });
    expect(usageOf(demo)).toBe('create demo TITLE COUNT LOUD MODE TAGS...');
  });

  it('should take every field as a flag: a boolean flag alone is true, a list one comma-separated value, --input under them all', () => {
    const input = taskInputOf(
      demo,
      args({
        input: '{"title": "from JSON", "count": 9, "address": {"city": "Oslo", "zip": "0150"}}',
        fields: [
          { name: 'count', value: '4' },
          { name: 'loud', value: undefined },
          { name: 'mode', value: 'Slow' },
          { name: 'tags', value: 'x,y' },
          { name: 'address.city', value: 'Rome' },
        ],
      }),
    );
    expect(input).toEqual({
      title: 'from JSON',
      count: 4,
      loud: true,
      mode: 'SLOW',
      tags: ['x', 'y'],
      address: { city: 'Rome', zip: '0150' },
    });
    expect(demoInput.parse(input)).toEqual({ ...input, retries: 3 });
    const none = taskInputOf(
      demo,
      args({
        input: '{"title":"t","count":1,"mode":"FAST","address":{"city":"c"}}',
        fields: [
          { name: 'loud', value: 'off' },
          { name: 'tags', value: '' },
        ],
      }),
    );
    expect(none).toMatchObject({ loud: false, tags: [] });
  });

  it.each([
    [{ positionals: ['t', 'three'] }, 'COUNT must be a whole number, not "three"'],
    [{ positionals: ['t', '1', 'maybe'] }, 'LOUD must be true or false, not "maybe"'],
    [{ positionals: ['t', '1', 'yes', 'medium'] }, 'MODE must be one of fast, slow, not "medium"'],
    [{ fields: [{ name: 'ratio', value: 'half' }] }, '--ratio must be a number, not "half"'],
    [
      { fields: [{ name: 'colour', value: 'red' }] },
      'demo_task has no field --colour: its fields are --title, --count',
    ],
    [
      { fields: [{ name: 'address.street', value: 'x' }] },
      'has no field --address.street: its fields are --city, --zip',
    ],
    [{ fields: [{ name: 'count', value: undefined }] }, '--count needs a value'],
    [{ fields: [{ name: 'items', value: '[{' }] }, '--items must be JSON'],
    [{ positionals: ['t', '1'], fields: [{ name: 'count', value: '2' }] }, 'count is given twice (COUNT and --count)'],
    [{ positionals: ['t'] }, 'demo_task needs COUNT, LOUD, MODE, ADDRESS'],
    [{ input: '[1, 2]' }, '--input must be a JSON object'],
    [{ input: '{"title": ' }, '--input must be JSON'],
  ])('should refuse %j as bad usage, before anything is sent', (given, message) => {
    expect(() => taskInputOf(demo, args(given))).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringContaining(message) }),
    );
  });

  it('should refuse positionals past those a kind takes, with its usage', () => {
    const sleepLike = kindOf('nap_task', z.object({ seconds: z.int().min(1) }));
    expect(() => taskInputOf(sleepLike, args({ positionals: ['1', '2'] }))).toThrow(
      expect.objectContaining({ message: expect.stringContaining('usage: task-service create nap SECONDS') }),
    );
    expect(taskInputOf(sleepLike, args({ positionals: ['5'] }))).toEqual({ seconds: 5 });
  });

  it('should read a schema that is not what it expects as one of no fields, never throwing on it', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { type: 'object', properties: { a: deep } };
    for (const inputSchema of [null, 'text', 42, [], { properties: 'x' }, { anyOf: 'x' }]) {
      const odd = { ...demo, inputSchema };
      expect(readSchema(inputSchema)).toBeTypeOf('object');
      expect(taskInputOf(odd, args({ input: '{"a": 1}' }))).toEqual({ a: 1 });
      expect(() => taskInputOf(odd, args({ fields: [{ name: 'a', value: '1' }] }))).toThrow(/has no field --a$/);
      expect(describeKind(odd).fields).toEqual([]);
    }
    // Nested past any sense: read to a depth, below which a field is any JSON.
    const nested = { ...demo, inputSchema: deep };
    expect(describeKind(nested).fields).toEqual([['  --a', 'object (JSON), optional', '']]);
    expect(taskInputOf(nested, args({ fields: [{ name: 'a.a.a', value: '{"b": 1}' }] }))).toEqual({
      a: { a: { a: { b: 1 } } },
    });
  });

  it('should describe each field with its type and bounds, leaving out the bounds of a mere 32-bit or safe integer', () => {
    const { head, fields } = describeKind(demo);
    expect(head).toEqual([
      'demo_task (inline): A kind of every field type.',
      '  create demo TITLE COUNT LOUD MODE TAGS...',
    ]);
    expect(Object.fromEntries(fields.map(([flag, type]) => [flag!.trim(), type]))).toEqual({
      '--title': 'text, 1 to 40 characters',
      '--count': 'integer, 1 to 10',
      '--loud': 'true | false',
      '--mode': 'FAST | SLOW',
      '--retries': 'integer, at least 0, optional',
      '--tags': 'list of text, at most 5 items',
      '--ratio': 'number, optional',
      '--maxRetries': 'integer, at least 0, optional',
      '--weights': 'list of number, optional',
      '--address': 'object (JSON)',
      '--items': 'list of object (JSON), optional',
      '--note': 'text, or null, optional',
      '--level': 'integer, at least 1, or null, optional',
    });
    expect(fields[0]![2]).toBe('What it is called.');
    const int32 = kindOf('x_task', z.object({ numbers: z.array(z.int32().min(-5)).min(1).max(100) }));
    expect(describeKind(int32).fields[0]![1]).toBe('list of integer (each at least -5), 1 to 100 items');
  });
});

describe('the command line and a task of a kind its schema.graphql does not know', () => {
  /** A task as the API answers it for a kind added after the command line's schema.graphql was written. */
  const task = {
    __typename: 'WordCountTask',
    id: 'task-1',
    name: 'word_count_task',
    state: 'COMPLETED',
    progress: 100,
    current: 1,
    total: 1,
    worker: 'worker-1',
    attempts: 1,
    error: null,
    createdAt: '2026-01-31T12:00:00.000Z',
    startedAt: '2026-01-31T12:00:00.000Z',
    finishedAt: '2026-01-31T12:00:01.000Z',
    expiresAt: null,
    runAt: null,
    priority: null,
    timeoutSeconds: null,
    scheduleId: null,
    output: { words: 3 },
  };

  it('should read it by the fields every task has, keeping its own __typename, and print its result from output', () => {
    const read = readGraphQLAnswer(CliTaskProgressDocument, { id: 'task-1' }, { data: { taskProgress: task } }, 'api');
    expect(read.taskProgress).toEqual(task);
    expect(outcome(read.taskProgress)).toBe('completed: 3');
    const several = { ...read.taskProgress, output: { words: 3, lines: ['a', 'b\u001b[2J'], at: { line: 1 } } };
    expect(outcome(several)).toBe('completed: words: 3, lines: a, b\\x1B[2J, at: {"line":1}');
    expect(outcome({ ...read.taskProgress, output: null })).toBe('completed');
  });

  it('should still check those fields: a task of any kind without its state is no answer', () => {
    const stateless = Object.fromEntries(Object.entries(task).filter(([name]) => name !== 'state'));
    expect(() =>
      readGraphQLAnswer(CliTaskProgressDocument, { id: 'task-1' }, { data: { taskProgress: stateless } }, 'api'),
    ).toThrow(expect.objectContaining({ code: 'BAD_ANSWER', message: expect.stringContaining('taskProgress.state') }));
  });
});

/** A value a field's schema accepts, as it would be typed: the first example, else one within its bounds. */
function typedSample(schema: JsonSchema): string {
  const value = sample(schema);
  return Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function sample(schema: JsonSchema): unknown {
  if (schema.examples?.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
    case 'number':
      return Math.min(Math.max(1, schema.minimum ?? 1), schema.maximum ?? 1);
    case 'boolean':
      return true;
    case 'string':
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sample(schema.items ?? {}));
    default:
      return Object.fromEntries(
        Object.entries(schema.properties ?? {})
          .filter(([name]) => schema.required?.includes(name))
          .map(([name, field]) => [name, sample(field)]),
      );
  }
}

const documentsOf = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('the command line with the kinds of a real API', () => {
  let stack: TestStack;
  let api: TestApi;
  let env: Record<string, string>;
  let kinds: CliTaskKind[];

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi();
    await stack.startWorker();
    env = { TASK_SERVICE_URL: api.url };
    ({ taskKinds: kinds } = await gqlData<{ taskKinds: CliTaskKind[] }>(
      api.url,
      '{ taskKinds { name typeName description isolation inputSchema resultSchema progressSchema } }',
    ));
  });
  afterAll(() => stack?.close());

  const taskCount = async () => (await gqlData(api.url, '{ tasks { totalCount } }')).tasks.totalCount as number;

  it('should list every kind with `kinds`: where it runs, what it does, its usage and its fields; and the same answer with --json', async () => {
    const text = await runCli(['kinds'], env);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    for (const kind of kinds) {
      expect(text.stdout).toContain(`${kind.name} (${kind.isolation.toLowerCase()}): ${kind.description}\n`);
      expect(text.stdout).toContain(`  ${usageOf(kind)}\n`);
      for (const name of Object.keys(readSchema(kind.inputSchema).properties ?? {})) {
        expect(text.stdout).toMatch(new RegExp(`^ {2}--${name} +\\S`, 'm'));
      }
    }
    expect(text.stdout).toContain('  create sleep DURATION\n');
    expect(text.stdout).toMatch(/^ {2}--duration +integer, 1 to 300 +Seconds to sleep: one progress step each\.$/m);
    expect(text.stdout).toContain('  create calculation OPERATION NUMBERS...\n');
    expect(text.stdout).toMatch(/^ {2}--operation +SUM \| PRODUCT \| AVERAGE +What to compute from them\.$/m);

    const json = await runCli(['kinds', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(kinds);
  });

  it('should create a task of every kind the API runs from --FIELD flags made from its schema, and watch it to COMPLETED', async () => {
    expect(kinds.length).toBeGreaterThanOrEqual(2);
    await Promise.all(
      kinds.map(async (kind) => {
        const schema = readSchema(kind.inputSchema);
        const flags = Object.entries(schema.properties ?? {})
          .filter(([name]) => schema.required?.includes(name))
          .flatMap(([name, field]) => [`--${name}`, typedSample(field)]);
        const { code, stdout, stderr } = await runCli(['create', kind.name, ...flags, '--watch', '--json'], env);
        expect({ kind: kind.name, code, stderr }).toEqual({ kind: kind.name, code: 0, stderr: '' });
        const documents = documentsOf(stdout);
        expect(documents[0]).toMatchObject({ name: kind.name, __typename: kind.typeName, state: 'QUEUED' });
        expect(documents.findLast((document) => 'state' in document)).toMatchObject({ state: 'COMPLETED' });
      }),
    );
  });

  it('should take the kind with or without _task and in kebab case, values as positionals, flags or JSON, and create through createTask', async () => {
    const product = await runCli(
      ['create', 'calculation_task', '--operation', 'product', '--numbers', '2,3,-7', '--watch', '--json'],
      env,
    );
    expect(product.code).toBe(0);
    expect(documentsOf(product.stdout).at(-2)).toMatchObject({
      state: 'COMPLETED',
      result: { operation: 'PRODUCT', value: '-42', count: 3 },
    });
    const fromJson = await runCli(
      ['create', 'calculation', '--input', '{"numbers": [4, 5], "operation": "AVERAGE"}', '--watch', '--json'],
      env,
    );
    expect(documentsOf(fromJson.stdout).at(-2)).toMatchObject({ result: { value: '4.5' } });
    const mixed = await runCli(
      ['create', 'calculation', 'sum', '1', '2', '--input', '{"numbers": [9]}', '--json'],
      env,
    );
    expect(JSON.parse(mixed.stdout)).toMatchObject({ state: 'QUEUED', operation: 'SUM' });
    const sleep = await runCli(['create', 'sleep-task', '--duration=1', '--priority', '3'], env);
    expect(sleep.stdout).toMatch(/^created sleep_task \S+ \(queued, 0%; priority 3\)\n$/);
  });

  it('should exit 2 for what only the kinds tell wrong, and for input the server refuses, creating nothing', async () => {
    const before = await taskCount();
    const kindList = taskKinds.map((kind) => kind.name.replace(/_task$/, '')).join(', ');
    const refused = [
      [['create', 'sleep', 'ten'], 'DURATION must be a whole number, not "ten"'],
      [['create', 'nap', '10'], `unknown kind of task "nap": ${kindList}`],
      [['create', 'calculation', 'median', '1'], 'OPERATION must be one of sum, product, average, not "median"'],
      [['create', 'sleep', '--frob', '1'], 'sleep_task has no field --frob: its fields are --duration'],
      [['create', 'sleep', '1', '2'], 'usage: task-service create sleep DURATION'],
      [['create', 'sleep'], 'sleep_task needs DURATION'],
      [['create', 'sleep', '1', '--duration', '2'], 'duration is given twice (DURATION and --duration)'],
      [['schedule', 'create', 'nap', '1', '--every', '5'], 'unknown kind of task "nap"'],
      [['schedule', 'create', 'sleep', '--every', '5'], 'usage: task-service schedule create sleep DURATION'],
    ] as const;
    const runs = await Promise.all(refused.map(([argv]) => runCli(argv, env)));
    runs.forEach((run, i) => {
      expect({ argv: refused[i]![0], code: run.code }).toEqual({ argv: refused[i]![0], code: 2 });
      expect(run.stderr).toContain(refused[i]![1]);
    });

    const empty = await runCli(['create', 'calculation', '--operation', 'sum', '--numbers', ''], env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^ {2}input\.numbers: numbers must hold at least 1 number$/m);
    const json = await runCli(['create', 'sleep', '--duration', '301', '--json'], env);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr).error).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ field: 'input.duration', message: 'duration must be at most 300 seconds' }],
    });
    expect(await taskCount()).toBe(before);
  }, 60_000); // a dozen command lines at once, each a Node process of its own

  it('should create a schedule of a kind from flags through createTaskSchedule', async () => {
    const created = await runCli(
      ['schedule', 'create', 'calculation', '--operation', 'sum', '--numbers', '1,2', '--every', '3600', '--json'],
      env,
    );
    expect(created.code).toBe(0);
    const schedule = JSON.parse(created.stdout);
    expect(schedule).toMatchObject({ name: 'calculation_task', everySeconds: 3600 });
    await runCli(['schedule', 'delete', schedule.id], env);
  });
});
