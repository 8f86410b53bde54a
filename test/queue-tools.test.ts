import type { Queue } from 'bullmq';
import type { Client } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTaskQueue } from '../core/task-queue.js';
import { createTaskStore, type TaskStore } from '../core/task-store.js';
import { JOB_REMOVED } from '../src/tasks/queue-watch.js';
import { gqlData, watch, wsClient } from './support/graphql.js';
import { CREATE_CALCULATION, TASK_PROGRESS, TASK_UPDATED, type TaskData } from './support/operations.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

const CREATE_SLEEP_WITH_OPTIONS = `mutation ($input: CreateSleepTaskInput!, $options: TaskOptionsInput) {
  createSleepTask(input: $input, options: $options) { id state error } }`;

/**
 * What Bull Board and Taskforce do to the queues, done here as they do it, with BullMQ's own API on a
 * Queue of their own: the service's tasks, events and watchers must follow.
 */
describe('the queues as the tools of BullMQ users see and change them', () => {
  let stack: TestStack;
  let api: TestApi;
  let queue: Queue;
  let store: TaskStore;
  let client: Client;

  beforeEach(async () => {
    stack = await createTestStack();
    // A quick sweep for removed jobs, looking at tasks of any age: the events-less removals show fast.
    api = await stack.startApi({ tasks: { jobSweep: { everyMs: 200, graceMs: 0 } } });
    queue = createTaskQueue(stack.redis, stack.keys.prefix);
    store = createTaskStore(stack.redis, stack.partitions);
    client = wsClient(api.url);
  });

  afterEach(async () => {
    await client?.dispose();
    await queue?.close();
    await api?.close();
    await stack?.close();
  });

  const createSleep = async (duration: number, options: { timeoutSeconds?: number } = {}) =>
    (await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP_WITH_OPTIONS, { input: { duration }, options }))
      .createSleepTask;
  const createCalculation = async (numbers: number[]) =>
    (
      await gqlData<{ createCalculationTask: TaskData }>(api.url, CREATE_CALCULATION, {
        input: { numbers, operation: 'SUM' },
      })
    ).createCalculationTask;
  const recordIn = (id: string, state: string) =>
    waitFor(
      async () => {
        const record = await store.get(id);
        return record?.state === state && record;
      },
      { what: `task ${id} to be ${state}`, timeoutMs: 10_000 },
    );
  const jobIn = (id: string, state: string) =>
    waitFor(async () => (await queue.getJobState(id)) === state, { what: `job ${id} to be ${state}` });

  it("should show every step as the job's progress, and keep finished jobs with their result or error", async () => {
    await stack.startWorker();
    const sleeping = await createSleep(3);
    const timedOut = await createSleep(3, { timeoutSeconds: 1 });
    const calculation = await createCalculation([1, 2, 3]);

    const midway = await waitFor(
      async () => {
        const job = await queue.getJob(sleeping.id);
        const progress = job?.progress as { current?: number } | undefined;
        return progress?.current === 1 && job;
      },
      { what: "the sleep task's first step on its job" },
    );
    expect(midway.progress).toEqual({ current: 1, total: 3, progress: expect.closeTo(33.33, 2) });

    await recordIn(sleeping.id, 'COMPLETED');
    await jobIn(sleeping.id, 'completed');
    const done = (await queue.getJob(sleeping.id))!;
    expect(done.returnvalue).toEqual({ status: 'ok' });
    expect(done.progress).toEqual({ current: 3, total: 3, progress: 100 });

    await jobIn(calculation.id, 'completed');
    expect((await queue.getJob(calculation.id))!.returnvalue).toEqual({ operation: 'SUM', value: '6', count: 3 });

    const failed = await recordIn(timedOut.id, 'FAILED');
    await jobIn(timedOut.id, 'failed');
    expect((await queue.getJob(timedOut.id))!.failedReason).toBe(failed.error);
  });

  it('should remove a finished job when its task expires', async () => {
    await api.close();
    api = await stack.startApi({ tasks: { resultTtlMs: 1_000 } });
    await stack.startWorker();
    const task = await createCalculation([4]);
    await jobIn(task.id, 'completed');
    await waitFor(async () => (await store.get(task.id)) === null, { what: 'the task to expire' });
    await waitFor(async () => (await queue.getJob(task.id)) === undefined, { what: 'its job to go with it' });
  });

  it.each([
    ['removed (the trash icon)', (q: Queue, id: string) => q.remove(id).then(() => undefined)],
    ['cleaned', (q: Queue) => q.clean(0, 100, 'prioritized').then(() => undefined)],
    ['emptied', (q: Queue) => q.drain(true)],
    ['obliterated', (q: Queue) => q.obliterate({ force: true })],
  ])('should cancel a waiting task whose job is %s, saying why, and end its watchers', async (_what, removeJob) => {
    const task = await createSleep(1); // no worker: it waits
    const watcher = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id: task.id });
    await waitFor(() => watcher.values.length > 0, { what: 'the snapshot' });

    await removeJob(queue, task.id);

    const cancelled = await recordIn(task.id, 'CANCELLED');
    expect(cancelled.error).toBe(JOB_REMOVED);
    await watcher.ended;
    expect(watcher.completed).toBe(true);
    expect(watcher.values.at(-1)!.taskProgress).toMatchObject({ state: 'CANCELLED', error: JOB_REMOVED });
  });

  it('should stop a running task whose job is obliterated, as cancelled', async () => {
    await stack.startWorker();
    const task = await createSleep(30);
    await recordIn(task.id, 'ACTIVE');
    await queue.obliterate({ force: true });
    const cancelled = await recordIn(task.id, 'CANCELLED');
    expect(cancelled.error).toBe(JOB_REMOVED);
  });

  it("should run the task's own input when its job's data was edited, and say so in its log", async () => {
    const task = await createSleep(1);
    const job = (await queue.getJob(task.id))!;
    await job.updateData({ duration: 40 });
    await stack.startWorker();

    const completed = await recordIn(task.id, 'COMPLETED');
    expect(completed).toMatchObject({ total: 1, current: 1, input: { duration: 1 } });
    const lines = (await store.logs(task.id, 10)).map((line) => line.message);
    expect(lines).toContainEqual(expect.stringContaining("the job's data differs from the task's input"));
    expect(lines).toContainEqual(expect.stringContaining('{"duration":40}'));
  });

  it('should run a task again when its finished job is retried, with its attempts and versions going on', async () => {
    await stack.startWorker({ maxTimeoutSeconds: 1 });
    const failing = await createSleep(2);
    const calculation = await createCalculation([5, 6]);
    const failed = await recordIn(failing.id, 'FAILED');
    const completed = await recordIn(calculation.id, 'COMPLETED');
    await jobIn(failing.id, 'failed');
    await jobIn(calculation.id, 'completed');

    const updates = watch<{ taskUpdated: TaskData }>(client, TASK_UPDATED);
    await waitFor(
      async () => ((await stack.redis.pubsub('NUMSUB', stack.keys.allTasksChannel)) as [string, number])[1] === 1,
      { what: 'the taskUpdated subscription' },
    );
    await (await queue.getJob(failing.id))!.retry('failed');
    await (await queue.getJob(calculation.id))!.retry('completed');

    const again = await waitFor(
      async () => {
        const record = await store.get(calculation.id);
        return record && record.attempts === 2 && record.state === 'COMPLETED' && record;
      },
      { what: 'the calculation to run again' },
    );
    expect(again.seq).toBeGreaterThan(completed.seq);
    expect(again.result).toEqual({ operation: 'SUM', value: '11', count: 2 });
    const failedAgain = await waitFor(
      async () => {
        const record = await store.get(failing.id);
        return record && record.attempts === 2 && record.state === 'FAILED' && record;
      },
      { what: 'the sleep task to run, and fail, again' },
    );
    expect(failedAgain.seq).toBeGreaterThan(failed.seq);
    await waitFor(
      () =>
        updates.values.some(({ taskUpdated }) => taskUpdated.id === failing.id && taskUpdated.state === 'ACTIVE') &&
        updates.values.some(({ taskUpdated }) => taskUpdated.id === calculation.id && taskUpdated.attempts === 2),
      { what: 'the watchers to see both run again' },
    );
    const log = (await store.logs(failing.id, 10)).map((line) => line.message);
    expect(log).toContainEqual(expect.stringContaining('its job was retried in the queue'));
    updates.stop();
  });

  it('should fail at once a job added to the queue by hand, saying to create tasks through the API', async () => {
    await stack.startWorker();
    const job = await queue.add('sleep_task', { duration: 1 }, { removeOnFail: false });
    await jobIn(job.id!, 'failed');
    const failed = (await queue.getJob(job.id!))!;
    expect(failed.failedReason).toMatch(/is no task of this service: create tasks through its GraphQL API/);
    expect(failed.attemptsMade).toBe(1);
    expect(await store.page({ first: 10 })).toMatchObject({ totalCount: 0 });
  });

  it('should fail the job of a task cancelled while it runs, naming the cancel', async () => {
    await stack.startWorker();
    const task = await createSleep(30);
    await recordIn(task.id, 'ACTIVE');
    await store.cancel(task);
    await recordIn(task.id, 'CANCELLED');
    await jobIn(task.id, 'failed');
    expect((await queue.getJob(task.id))!.failedReason).toBe('the task was cancelled');
  });
});
