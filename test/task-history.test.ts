import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE_MS, minuteOf } from '../core/keys.js';
import { createTaskStore } from '../core/task-store.js';
import { createTaskHistory, HISTORY_MINUTES } from '../src/tasks/task-history.js';
import { gql, gqlData } from './support/graphql.js';
import {
  CREATE_CALCULATION,
  CREATE_SLEEP,
  TASK_HISTORY,
  type TaskData,
  type TaskMinuteData,
} from './support/operations.js';
import { sleepRecord } from './support/records.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

/** The counts of the last two minutes added up: a test may run across a minute's end. */
const lastTwo = (minutes: readonly { completed: number; failed: number }[]) =>
  minutes
    .slice(-2)
    .reduce((sum, minute) => ({ completed: sum.completed + minute.completed, failed: sum.failed + minute.failed }), {
      completed: 0,
      failed: 0,
    });

describe("the service's history by the minute", () => {
  let stack: TestStack;

  afterEach(() => stack?.close());

  it('should count the tasks that completed and failed in each minute, over every partition', async () => {
    stack = await createTestStack({ partitions: 3 });
    const api = await stack.startApi();
    await stack.startWorker({ maxTimeoutSeconds: 1 });
    const store = createTaskStore(stack.redis, stack.partitions);
    const calculations = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const { createCalculationTask } = await gqlData<{ createCalculationTask: TaskData }>(
          api.url,
          CREATE_CALCULATION,
          { input: { numbers: [1, 2], operation: 'SUM' } },
        );
        return createCalculationTask;
      }),
    );
    // Outlives the worker's max timeout of 1 s: fails.
    const { createSleepTask: failing } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 3 },
    });
    await waitFor(
      async () => {
        const states = await Promise.all(
          [...calculations, failing].map(async ({ id }) => (await store.get(id))?.state),
        );
        return states.every((state) => state === 'COMPLETED' || state === 'FAILED');
      },
      { what: 'every task to end' },
    );
    // The tasks spread over the partitions, and their counts are added up.
    expect(new Set(calculations.map(({ id }) => id.slice(0, 2))).size).toBe(3);

    const { taskHistory } = await gqlData<{ taskHistory: TaskMinuteData[] }>(api.url, TASK_HISTORY);
    expect(taskHistory).toHaveLength(HISTORY_MINUTES);
    expect(lastTwo(taskHistory)).toEqual({ completed: 5, failed: 1 });
    // One entry a minute, oldest first, the current one last.
    const starts = taskHistory.map(({ at }) => Date.parse(at));
    expect(starts.every((start, i) => i === 0 || start - starts[i - 1]! === MINUTE_MS)).toBe(true);
    expect(minuteOf(starts.at(-1)!)).toBe(minuteOf(Date.now()));
    expect(taskHistory.slice(0, -2).every((minute) => minute.completed === 0 && minute.failed === 0)).toBe(true);

    const { taskHistory: five } = await gqlData<{ taskHistory: TaskMinuteData[] }>(api.url, TASK_HISTORY, {
      minutes: 5,
    });
    expect(five).toEqual(taskHistory.slice(-5));
  });

  it('should keep each bucket a little over an hour, and count a run handed back for another attempt as no end', async () => {
    stack = await createTestStack();
    const store = createTaskStore(stack.redis, stack.partitions);
    const task = await sleepRecord(store);
    const first = randomUUID();
    await store.start(task, first, 'a worker', { attemptsMade: 0 });
    await store.finish(task, first, { state: 'QUEUED', error: 'handed back' });
    const second = randomUUID();
    await store.start(task, second, 'a worker', { attemptsMade: 0 });
    await store.finish(task, second, { state: 'FAILED', error: 'failed' });

    const history = createTaskHistory(stack.redis, stack.partitions);
    expect(lastTwo(await history.read(2))).toEqual({ completed: 0, failed: 1 });
    const bucket = stack.keys.history(minuteOf(Date.now()));
    const ttl = await stack.redis.pttl(bucket);
    expect(ttl).toBeGreaterThan(61 * MINUTE_MS - 2_000);
    expect(ttl).toBeLessThanOrEqual(62 * MINUTE_MS);
    expect(await stack.redis.keys(`${stack.keys.prefix}:history:*`)).toHaveLength(1);
  });

  it('should sample the backlog once as each minute begins, summed over the partitions, the first sample winning', async () => {
    stack = await createTestStack({ partitions: 2 });
    const store = createTaskStore(stack.redis, stack.partitions);
    const history = createTaskHistory(stack.redis, stack.partitions);
    expect((await history.read(1))[0]!.backlog).toBeNull(); // nobody has looked yet
    for (let i = 0; i < 3; i++) await sleepRecord(store, { id: stack.partitions.newTask().id }); // each partition in turn
    // A delayed task waits for its start time, not for a worker: no backlog until then.
    const delayed = { name: 'sleep_task', total: 1, input: { duration: 1 }, ttlMs: 60_000, owner: null };
    await store.create({ ...delayed, id: stack.partitions.newTask().id, runAt: Date.now() + 3_600_000 });
    const minute = minuteOf(Date.now());
    await history.sampleBacklog();
    // Sampled once a minute: more tasks this minute, and calls again, change nothing.
    await sleepRecord(store, { id: stack.partitions.newTask().id });
    await history.sampleBacklog();
    await createTaskHistory(stack.redis, stack.partitions).sampleBacklog(); // another API instance
    if (minuteOf(Date.now()) !== minute) return; // the minute ended meanwhile: the figures belong to two
    const [now] = await createTaskHistory(stack.redis, stack.partitions).read(1);
    expect(now).toMatchObject({ at: new Date(minute * MINUTE_MS), backlog: 3, completed: 0, failed: 0 });
  });

  it('should take 1 to 60 minutes, and count a full hour of them in the cost limit', async () => {
    stack = await createTestStack();
    // The cost of a full hour with its four fields: 60 * (1 + 4).
    const api = await stack.startApi({ limits: { maxCost: 300 } });
    for (const minutes of [0, 61, -1]) {
      const { errors } = await gql(api.url, TASK_HISTORY, { minutes });
      expect(errors).toMatchObject([
        { message: 'Invalid minutes: minutes: must be between 1 and 60', extensions: { code: 'BAD_USER_INPUT' } },
      ]);
    }
    expect((await gql(api.url, TASK_HISTORY, { minutes: 1 })).errors).toBeUndefined();
    // Counted as a full hour however few minutes are asked for: twice a minute costs two hours.
    const fields = 'at completed failed backlog';
    const twice = await gql(
      api.url,
      `{ a: taskHistory(minutes: 1) { ${fields} } b: taskHistory(minutes: 1) { ${fields} } }`,
    );
    expect(twice.errors).toMatchObject([{ extensions: { costLimit: { limit: 'maxCost', actual: 2 * 60 * 5 } } }]);
    const wider = await gql(api.url, `{ taskHistory { at completed failed backlog __typename } }`);
    expect(wider.errors).toMatchObject([{ extensions: { costLimit: { limit: 'maxCost', actual: 60 * 6 } } }]);
  });
});
