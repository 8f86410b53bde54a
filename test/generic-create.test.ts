import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskKinds } from '../core/task-kinds/index.js';
import { gql, gqlData, watch, wsClient } from './support/graphql.js';
import { TASK_PROGRESS, type TaskData } from './support/operations.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';

const TASK_KINDS = `{ taskKinds { name typeName description isolation inputSchema resultSchema progressSchema } }`;
const CREATE_TASK = `mutation ($kind: String!, $input: JSON!, $options: TaskOptionsInput) {
  createTask(kind: $kind, input: $input, options: $options) {
    __typename id name state total
    ... on SleepTask { duration }
    ... on CalculationTask { numbers operation }
  }
}`;
const CREATE_SCHEDULE = `mutation ($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {
  createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) { id name everySeconds }
}`;
const COUNT = `{ tasks(first: 1) { totalCount } taskSchedules { id } }`;

interface Problem {
  field: string;
  message: string;
}

describe('kinds as data, and the generic create', () => {
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi();
    await stack.startWorker();
  });
  afterAll(() => stack?.close());

  const counts = () =>
    gqlData<{ tasks: { totalCount: number }; taskSchedules: unknown[] }>(api.url, COUNT).then((data) => ({
      tasks: data.tasks.totalCount,
      schedules: data.taskSchedules.length,
    }));

  /** The problems a refused request names, each as `field: message`. */
  const problemsOf = (errors: { extensions?: { code?: string; problems?: Problem[] } }[] | undefined) => {
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    return errors![0]!.extensions!.problems!.map(({ field }) => field);
  };

  it('should answer every kind of tasks/ with the JSON Schemas of its input, result and steps', async () => {
    const { taskKinds: answered } = await gqlData<{ taskKinds: Record<string, any>[] }>(api.url, TASK_KINDS);
    expect(answered.map((kind) => kind.name)).toEqual(taskKinds.map((kind) => kind.name));
    const sleep = answered.find((kind) => kind.name === 'sleep_task')!;
    expect(sleep).toMatchObject({
      typeName: 'SleepTask',
      description: 'Sleeps `duration` seconds, one progress step a second.',
      isolation: 'INLINE',
      progressSchema: null,
    });
    expect(sleep.inputSchema.properties.duration).toMatchObject({ type: 'integer', minimum: 1, maximum: 300 });
    expect(sleep.inputSchema.required).toEqual(['duration']);
    const calculation = answered.find((kind) => kind.name === 'calculation_task')!;
    expect(calculation.inputSchema.properties.operation.enum).toEqual(['SUM', 'PRODUCT', 'AVERAGE']);
    expect(calculation.inputSchema.properties.numbers).toMatchObject({ type: 'array', minItems: 1, maxItems: 100 });
    expect(calculation.resultSchema.properties.value.type).toBe('string');
  });

  it('should create any kind by its name, with or without _task, and run it as its typed mutation would', async () => {
    const sleep = await gqlData<{ createTask: TaskData & { __typename: string; duration: number } }>(
      api.url,
      CREATE_TASK,
      { kind: 'sleep', input: { duration: 1 } },
    );
    expect(sleep.createTask).toMatchObject({ __typename: 'SleepTask', name: 'sleep_task', duration: 1, total: 1 });
    const sum = await gqlData<{ createTask: { __typename: string; numbers: number[]; operation: string } }>(
      api.url,
      CREATE_TASK,
      { kind: 'calculation_task', input: { numbers: [1, 2], operation: 'SUM' }, options: { priority: 5 } },
    );
    expect(sum.createTask).toMatchObject({ __typename: 'CalculationTask', numbers: [1, 2], operation: 'SUM' });

    const client = wsClient(api.url);
    try {
      const watched = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id: sleep.createTask.id });
      await watched.ended;
      expect(watched.values.at(-1)?.taskProgress.state).toBe('COMPLETED');
      // Any kind's input and result, as JSON, through the Task interface alone.
      const { task } = await gqlData<{ task: { input: unknown; output: unknown } }>(
        api.url,
        `query ($id: ID!) { task(id: $id) { input output } }`,
        { id: sleep.createTask.id },
      );
      expect(task).toEqual({ input: { duration: 1 }, output: { status: 'ok' } });
    } finally {
      await client.dispose();
    }
  });

  it('should refuse input its kind refuses, naming the field, and create nothing', async () => {
    const before = await counts();
    const wrong = await gql(api.url, CREATE_TASK, { kind: 'sleep_task', input: { duration: 0 } });
    expect(problemsOf(wrong.errors)).toEqual(['input.duration']);
    const extra = await gql(api.url, CREATE_TASK, { kind: 'calculation', input: { numbers: [], operation: 'MEAN' } });
    expect(problemsOf(extra.errors).sort()).toEqual(['input.numbers', 'input.operation']);
    const notAnObject = await gql(api.url, CREATE_TASK, { kind: 'sleep', input: [1, 2] });
    expect(problemsOf(notAnObject.errors)).toEqual(['input']);
    const unknown = await gql(api.url, CREATE_TASK, { kind: '__proto__', input: {} });
    expect(problemsOf(unknown.errors)).toEqual(['kind']);
    expect(unknown.errors![0]!.message).toContain('sleep_task');
    // One bad create among good ones: the operation creates nothing.
    const mixed = await gql(
      api.url,
      `mutation { a: createTask(kind: "sleep", input: { duration: 1 }) { id } b: createTask(kind: "sleep", input: { duration: "1" }) { id } }`,
    );
    expect(problemsOf(mixed.errors)).toEqual(['input.duration']);
    const badSchedule = await gql(api.url, CREATE_SCHEDULE, {
      kind: 'sleep',
      input: { duration: 301 },
      schedule: { everySeconds: 60 },
    });
    expect(problemsOf(badSchedule.errors)).toEqual(['input.duration']);
    expect(await counts()).toEqual(before);
  });

  it('should schedule any kind by its name', async () => {
    const { createTaskSchedule } = await gqlData<{ createTaskSchedule: { id: string; name: string } }>(
      api.url,
      CREATE_SCHEDULE,
      { kind: 'calculation', input: { numbers: [3], operation: 'PRODUCT' }, schedule: { everySeconds: 3600 } },
    );
    expect(createTaskSchedule.name).toBe('calculation_task');
    await gqlData(api.url, `mutation ($id: ID!) { deleteTaskSchedule(id: $id) }`, { id: createTaskSchedule.id });
  });
});
