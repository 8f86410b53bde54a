import type { Client } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gqlData, watch, wsClient } from './support/graphql.js';
import {
  CANCEL_TASK,
  CREATE_CALCULATION,
  CREATE_SLEEP,
  GET_TASK,
  TASK_PROGRESS,
  TASK_UPDATED,
  type TaskData,
} from './support/operations.js';
import { enqueueTask } from '../core/enqueue-task.js';
import sleepTask from '../tasks/sleep.js';
import { createTaskQueue } from '../core/task-queue.js';
import { createTaskStore } from '../core/task-store.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

describe('events across processes', () => {
  let stack: TestStack;
  const clients: Client[] = [];
  const client = (url: string) => {
    const created = wsClient(url);
    clients.push(created);
    return created;
  };

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await stack.close();
  });

  it('should show a subscriber on one API instance a task created on another', async () => {
    const [a, b] = [await stack.startApi(), await stack.startApi()];
    await stack.startWorker();
    const updates = watch<{ taskUpdated: TaskData }>(client(b.url), TASK_UPDATED);
    await waitFor(
      async () => ((await stack.redis.pubsub('NUMSUB', stack.keys.allTasksChannel)) as [string, number])[1] === 1,
      {
        what: 'the taskUpdated subscription',
      },
    );

    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(a.url, CREATE_SLEEP, {
      input: { duration: 2 },
    });
    const progress = watch<{ taskProgress: TaskData }>(client(b.url), TASK_PROGRESS, { id: task.id });
    await within(progress.ended, 5_000, 'completion seen on the other instance');
    expect(progress.values.at(-1)!.taskProgress).toMatchObject({ id: task.id, state: 'COMPLETED', current: 2 });

    await waitFor(() => updates.values.some((value) => value.taskUpdated.state === 'COMPLETED'), {
      what: 'taskUpdated',
    });
    expect(
      updates.values.map((value) => [value.taskUpdated.id, value.taskUpdated.state, value.taskUpdated.current]),
    ).toEqual([
      [task.id, 'QUEUED', 0],
      [task.id, 'ACTIVE', 0],
      [task.id, 'ACTIVE', 1],
      [task.id, 'ACTIVE', 2],
      [task.id, 'COMPLETED', 2],
    ]);
    expect(updates.completed).toBe(false);
    updates.stop();
    await waitFor(
      async () => ((await stack.redis.pubsub('NUMSUB', stack.keys.allTasksChannel)) as [string, number])[1] === 0,
      {
        what: 'the UNSUBSCRIBE of taskUpdated',
      },
    );
  });

  it('should run many tasks at once in one worker process', async () => {
    const api = await stack.startApi();
    await stack.startWorker({ concurrency: 100 });
    const ids = await Promise.all(
      Array.from(
        { length: 60 },
        async () =>
          // Long enough that a loaded machine takes them all up before the first ends.
          (await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, { input: { duration: 5 } }))
            .createSleepTask.id,
      ),
    );
    const finished = await waitFor(
      async () => {
        const tasks = await Promise.all(
          ids.map(async (id) => (await gqlData<{ task: TaskData }>(api.url, GET_TASK, { id })).task),
        );
        return tasks.every((task) => task.state === 'COMPLETED') && tasks;
      },
      { what: 'all 60 tasks', timeoutMs: 30_000, everyMs: 250 },
    );
    // They overlapped: every task started before any finished.
    const lastStart = Math.max(...finished.map((task) => new Date(task.startedAt!).getTime()));
    const firstFinish = Math.min(...finished.map((task) => new Date(task.finishedAt!).getTime()));
    expect(lastStart).toBeLessThan(firstFinish);
    expect(finished.every((task) => task.current === 5 && task.attempts === 1)).toBe(true);
  });

  // Above 250 tasks a worker process fetches with several BullMQ workers, which share its concurrency.
  it('should run as many tasks at once as its concurrency, when that takes several fetch loops', async () => {
    const concurrency = 600;
    await stack.startWorker({ concurrency });
    const store = createTaskStore(stack.redis, stack.partitions);
    const queue = createTaskQueue(stack.redis, stack.keys.prefix);
    try {
      const tasks = await Promise.all(
        Array.from({ length: concurrency }, () =>
          enqueueTask(
            { store, partitions: stack.partitions, queues: [queue] },
            sleepTask,
            { duration: 2 },
            { ttlMs: 3_600_000, owner: null },
          ),
        ),
      );
      const finished = await waitFor(
        async () => {
          const records = await Promise.all(tasks.map((task) => store.get(task.id)));
          return records.every((record) => record?.state === 'COMPLETED') && records.map((record) => record!);
        },
        { what: `all ${concurrency} tasks`, timeoutMs: 30_000, everyMs: 250 },
      );
      // None waited for a free slot: every task started before any finished.
      const lastStart = Math.max(...finished.map((record) => record.startedAt!.getTime()));
      const firstFinish = Math.min(...finished.map((record) => record.finishedAt!.getTime()));
      expect(lastStart).toBeLessThan(firstFinish);
      expect(finished.every((record) => record.attempts === 1)).toBe(true);
    } finally {
      await queue.close();
    }
  });

  it("should fail a sleep that reaches the worker's max timeout, naming both numbers", async () => {
    const api = await stack.startApi();
    await stack.startWorker({ maxTimeoutSeconds: 1 });
    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 3 },
    });
    const progress = watch<{ taskProgress: TaskData }>(client(api.url), TASK_PROGRESS, { id: task.id });
    await within(progress.ended, 5_000, 'the failure');
    const last = progress.values.at(-1)!.taskProgress;
    expect(last).toMatchObject({ state: 'FAILED', result: null });
    expect(last.error).toBe("sleep of 3 s reached the worker's max timeout of 1 s (WORKER_MAX_TIMEOUT)");
  });

  it('should resend the current state when the subscriber connection comes back', async () => {
    const api = await stack.startApi();
    const { createCalculationTask: task } = await gqlData<{ createCalculationTask: TaskData }>(
      api.url,
      CREATE_CALCULATION,
      {
        input: { numbers: [1], operation: 'SUM' },
      },
    );
    const progress = watch<{ taskProgress: TaskData }>(client(api.url), TASK_PROGRESS, { id: task.id });
    await waitFor(() => progress.values.length === 1, { what: 'the snapshot' });

    // Cut the API's subscriber connection, and change the task while it reconnects: Redis drops
    // that message (pub/sub is at-most-once), so only the re-read snapshot can bring it.
    const clientList = (await stack.redis.client('LIST')) as string;
    const line = clientList.split('\n').find((entry) => entry.includes(`name=${api.subscriberName}`))!;
    const clientId = /id=(\d+)/.exec(line)![1]!;
    await stack.redis.client('KILL', 'ID', clientId);
    await gqlData(api.url, CANCEL_TASK, { id: task.id });

    await within(progress.ended, 5_000, 'the state after the reconnect');
    expect(progress.values.map((value) => value.taskProgress.state)).toEqual(['QUEUED', 'CANCELLED']);
  });
});
