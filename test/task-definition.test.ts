import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, type ObjectSchema } from '../core/task-definition.js';
import { loadTaskKinds } from '../core/task-kinds/load-task-kinds.js';
import { taskShapeOf } from '../core/task-kinds/task-shape.js';
import { GenericTaskResolver } from '../src/graphql/generic-task.resolver.js';
import { listBoundOf } from '../src/graphql/list-bound.js';
import { buildTaskKindResolver } from '../src/graphql/task-kind-resolver.js';
import { buildTaskKindTypes } from '../src/graphql/task-kind-types.js';
import { projectDir } from './support/stack.js';

const ok = { ok: z.boolean() };

/** A kind with `input` as its input, and nothing else of note. */
function kindTaking(input: ObjectSchema, name = 'probe_task') {
  return defineTask({
    name,
    description: 'A probe.',
    input,
    result: z.object(ok),
    steps: () => 1,
    run: async () => ({ ok: true }),
  });
}

describe("a kind's shape", () => {
  it.each([
    ['a union', z.object({ value: z.union([z.string(), z.int()]) }), 'input.value: a union'],
    ['a nullable', z.object({ value: z.string().nullable() }), 'input.value: a nullable'],
    ['a record', z.object({ value: z.record(z.string(), z.int()) }), 'input.value: a record'],
    ['a tuple', z.object({ value: z.tuple([z.int(), z.int()]) }), 'input.value: a tuple'],
    ['a value of any type', z.object({ value: z.unknown() }), 'input.value: a value of any type'],
    ['a list with no longest length', z.object({ value: z.array(z.int()) }), 'input.value: a list needs'],
    ['an enum of numbers', z.object({ value: z.literal([1, 2]) }), 'input.value: an enum of [1,2]'],
    ['a field name GraphQL refuses', z.object({ 'two words': z.int() }), 'input.two words'],
    ['an object with no field', z.object({ value: z.object({}) }), 'input.value: an object needs'],
    ['a transform', z.object({ value: z.string().transform((text) => text.length) }), 'input: Transforms cannot'],
    [
      'a deeper union',
      z.object({ items: z.array(z.object({ at: z.int().or(z.string()) })).max(3) }),
      'input.items[].at',
    ],
  ])('should refuse %s, naming the field', (_, input, message) => {
    expect(() => taskShapeOf(kindTaking(input))).toThrow(message);
  });

  it('should write bounds into descriptions, and leave out those that only restate the type', () => {
    const shape = taskShapeOf(
      kindTaking(
        z.object({
          text: z.string().min(1).max(100_000).describe('The text to count.'),
          count: z.int32().describe('Any 32-bit count'),
          ratio: z.number().min(0).describe('A ratio'),
          tags: z.array(z.string()).max(5),
        }),
      ),
    );
    expect(shape.input.fields.map((field) => field.description)).toEqual([
      'The text to count. 1 to 100,000 characters.',
      'Any 32-bit count',
      'A ratio. At least 0.',
      'At most 5 items.',
    ]);
  });
});

describe("a kind's types", () => {
  // Checked by `npm test`'s type check: each line below fails to compile without its directive.
  it('should type a run by its own schemas', () => {
    const counted = defineTask({
      name: 'typed_task',
      description: 'Typed.',
      input: z.object({ text: z.string() }),
      result: z.object({ words: z.int() }),
      progress: z.object({ at: z.int() }),
      steps: ({ text }) => text.length,
      async run({ text }, { progress }) {
        // @ts-expect-error -- a step's detail has the kind's progress shape
        await progress(1, { at: 'one' });
        return { words: text.split(' ').length };
      },
    });
    defineTask({
      name: 'wrong_result_task',
      description: 'Returns the wrong shape.',
      input: z.object({ text: z.string() }),
      result: z.object({ words: z.int() }),
      steps: () => 1,
      // @ts-expect-error -- the result must have the kind's result shape
      run: async ({ text }) => ({ words: text }),
    });
    defineTask({
      name: 'wrong_input_task',
      description: 'Reads a field its input lacks.',
      input: z.object({ text: z.string() }),
      result: z.object({ words: z.int() }),
      steps: () => 1,
      // @ts-expect-error -- its input has no `numbers`
      run: async ({ numbers }) => ({ words: numbers }),
    });
    expect(counted.name).toBe('typed_task');
  });
});

describe("a kind's GraphQL", () => {
  it('should map strings, integers, numbers, booleans, enums, lists, nested objects and optionals to their forms', async () => {
    const report = defineTask({
      name: 'report_task',
      description: 'Builds a report.',
      input: z.object({
        title: z.string().min(1).max(200).describe('The title.'),
        pages: z.int().min(1).max(500).optional(),
        ratio: z.number(),
        draft: z.boolean().default(false),
        format: z.enum(['PDF', 'HTML']).describe('What to build.'),
        tags: z.array(z.string().max(20)).max(10),
        author: z.object({ name: z.string().describe('Who wrote it.'), email: z.string().optional() }),
      }),
      result: z.object({ url: z.string(), sections: z.array(z.object({ heading: z.string() })).max(50) }),
      progress: z.object({ stage: z.enum(['LAYOUT', 'RENDER']) }),
      steps: () => 2,
      run: async () => ({ url: 'x', sections: [] }),
    });
    const types = buildTaskKindTypes(report);
    const { resolver } = buildTaskKindResolver(report, types, () => {
      throw new Error('not run here');
    });
    const schema = await buildSchema({
      resolvers: [GenericTaskResolver, resolver],
      orphanedTypes: [types.objectType],
      validate: false,
    });
    const sdl = printSchema(lexicographicSortSchema(schema));
    const block = (start: string) => sdl.slice(sdl.indexOf(start), sdl.indexOf('}', sdl.indexOf(start)) + 1);
    const fieldLines = (start: string) =>
      block(start)
        .split('\n')
        .filter((line) => /^ {2}\w+[:(]/.test(line))
        .map((line) => line.trim());

    expect(fieldLines('input CreateReportTaskInput {')).toEqual([
      'author: ReportTaskAuthorInput!',
      'draft: Boolean',
      'format: ReportTaskFormat!',
      'pages: Int',
      'ratio: Float!',
      'tags: [String!]!',
      'title: String!',
    ]);
    expect(fieldLines('type ReportTask implements Task {')).toEqual(
      expect.arrayContaining([
        'author: ReportTaskAuthor!',
        'format: ReportTaskFormat!',
        'progressDetail: ReportTaskProgress',
        'result: ReportTaskResult',
        'tags: [String!]!',
      ]),
    );
    expect(fieldLines('type ReportTaskResult {')).toEqual(['sections: [ReportTaskResultSections!]!', 'url: String!']);
    expect(fieldLines('type ReportTaskProgress {')).toEqual(['stage: ReportTaskProgressStage!']);
    expect(block('input CreateReportTaskInput {')).toContain('"""The title. 1 to 200 characters."""');
    expect(sdl).toContain('"""What a report task does."""\ninput CreateReportTaskInput');
    expect(sdl).toContain('"""Builds a report."""\ntype ReportTask implements Task');
    expect(sdl).toMatch(/createReportTask\(/);
    expect(sdl).toMatch(/createReportTaskSchedule\(/);
    const boundOf = (type: string, field: string) => listBoundOf(schema.getType(type) ?? undefined, field);
    expect(boundOf('ReportTask', 'tags')).toEqual({ items: 10 });
    expect(boundOf('ReportTaskResult', 'sections')).toEqual({ items: 50 });
    expect(boundOf('ReportTask', 'timeline')).toEqual({ items: 100 });
  });

  it('should refuse an input field that would replace one every task has', () => {
    expect(() => buildTaskKindTypes(kindTaking(z.object({ state: z.string() }), 'clash_task'))).toThrow(
      'input.state: every task has a field named state',
    );
  });
});

describe('the folder of kinds', () => {
  let folder: string;
  // Inside the project, so that a kind's imports (zod, task-service) resolve as they do in tasks/.
  beforeAll(async () => {
    folder = await mkdtemp(join(projectDir, '.kinds-test-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  const kindFile = (name: string, body = '') => `import { z } from 'zod';
import { defineTask } from 'task-service';
${body}
export default defineTask({
  name: '${name}',
  description: 'A probe.',
  input: z.object({ n: z.int() }),
  result: z.object({ n: z.int() }),
  steps: () => 1,
  run: async ({ n }) => ({ n }),
});
`;

  /** Loads a folder holding exactly `files`. */
  async function load(files: Record<string, string>) {
    const dir = await mkdtemp(join(folder, 'case-'));
    await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(dir, name), text)));
    return loadTaskKinds(pathToFileURL(`${dir}/`), '.ts');
  }

  it('should load every file as a kind, in the order of their names, skipping tests and declarations', async () => {
    const kinds = await load({
      'b.ts': kindFile('b_task'),
      'a.ts': kindFile('a_task'),
      'a.test.ts': 'throw new Error("not a kind")',
      'types.d.ts': 'export {};',
    });
    expect(kinds.map((kind) => kind.definition.name)).toEqual(['a_task', 'b_task']);
    expect(kinds[0]!.file.pathname).toMatch(/\/a\.ts$/);
  });

  it('should stop on a file that does not load, naming it', async () => {
    await expect(load({ 'broken.ts': kindFile('x_task', 'throw new Error("no partner key");') })).rejects.toThrow(
      /task kind .*broken\.ts does not load: no partner key/,
    );
  });

  it('should stop on a file whose default export is no definition', async () => {
    await expect(load({ 'plain.ts': 'export default { name: "plain_task" };' })).rejects.toThrow(
      /task kind .*plain\.ts: its default export must be defineTask/,
    );
  });

  it('should stop on two kinds of one name, naming both files', async () => {
    await expect(load({ 'one.ts': kindFile('same_task'), 'two.ts': kindFile('same_task') })).rejects.toThrow(
      /task kinds .*one\.ts and .*two\.ts are both named "same_task"/,
    );
  });

  it('should stop on a name that is not snake_case, and on a shape GraphQL cannot carry, naming file and field', async () => {
    await expect(load({ 'camel.ts': kindFile('wordCount') })).rejects.toThrow(
      /camel\.ts: name "wordCount" must be snake_case/,
    );
    const union = kindFile('u_task').replace(
      'z.object({ n: z.int() }),\n  result',
      'z.object({ n: z.int().or(z.string()) }),\n  result',
    );
    await expect(load({ 'union.ts': union })).rejects.toThrow(/task kind .*union\.ts: input\.n: a union/);
  });

  it('should stop on a kind both instant and run in a thread', async () => {
    const both = kindFile('both_task').replace(
      '  steps: () => 1,',
      "  steps: () => 1,\n  instant: true,\n  isolation: 'thread',",
    );
    await expect(load({ 'both.ts': both })).rejects.toThrow(/both\.ts: an instant kind runs inline/);
  });

  it('should stop on an empty folder', async () => {
    await expect(load({})).rejects.toThrow(/no task kinds in/);
  });
});
