import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueueTask } from '../core/enqueue-task.js';
import { QUEUE_NAME } from '../core/keys.js';
import sleepTask from '../tasks/sleep.js';
import calculationTask from '../tasks/calculation.js';
import { createTaskQueue } from '../core/task-queue.js';
import { createTaskStore, type TaskStore } from '../core/task-store.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

/**
 * BullMQ keeps a job's data as JSON in one field of the job's hash. Data that does not parse (written
 * by another producer, or damaged) changes nothing: the task runs its own input, as its record holds
 * it, once, and its log says the job's data could not be read.
 */
describe('a job whose stored data is not JSON', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  type Deps = Parameters<typeof enqueueTask>[0];
  it.each([
    [
      'a kind with steps',
      (deps: Deps) => enqueueTask(deps, sleepTask, { duration: 1 }, { ttlMs: 3_600_000, owner: null }),
      { status: 'ok' },
    ],
    [
      'an instant kind',
      (deps: Deps) =>
        enqueueTask(deps, calculationTask, { numbers: [1, 2], operation: 'SUM' }, { ttlMs: 3_600_000, owner: null }),
      { operation: 'SUM', value: '3', count: 2 },
    ],
  ])(
    'should run the task of %s with its own input, once, and the job should not be fetched again',
    async (_what, enqueue, result) => {
      const store = createTaskStore(stack.redis, stack.partitions);
      const queue = createTaskQueue(stack.redis, stack.keys.prefix);
      try {
        const task = await enqueue({ store, partitions: stack.partitions, queues: [queue] });
        await stack.redis.hset(`${stack.keys.prefix}:${QUEUE_NAME}:${task.id}`, 'data', '{"duration": 1');
        // Short locks and stall checks: a job left active would be back in the queue within a second.
        await stack.startWorker({ stalled: { lockDurationMs: 500, checkEveryMs: 250, maxCount: 1 } });

        const completed = await waitFor(
          async () => {
            const record = await store.get(task.id);
            return record?.state === 'COMPLETED' && record;
          },
          { what: 'the task to complete', timeoutMs: 5_000 },
        );
        expect(completed.result).toEqual(result);
        expect(completed.attempts).toBe(1);
        const log = await store.logs(task.id, 10);
        expect(log.map((line) => line.message)).toContainEqual(expect.stringMatching(/job data: unreadable \(.*JSON/));

        await sleep(1_500); // several stall checks
        expect(await store.get(task.id)).toMatchObject({ state: 'COMPLETED', attempts: 1, seq: completed.seq });
        // BullMQ cannot read the job back (its data), but keeps its state and the task's result.
        expect(await queue.getJobState(task.id)).toBe('completed');
        const kept = await stack.redis.hget(`${stack.keys.prefix}:${QUEUE_NAME}:${task.id}`, 'returnvalue');
        expect(JSON.parse(kept!)).toEqual(result);
      } finally {
        await queue.close();
      }
    },
  );
});

/**
 * BullMQ parses a job's options (and progress) inside the fetch itself, before it knows the job: a
 * fetch that takes such a job, or the fetch of the next job that ends a run, finds it by its lock
 * token and hands it on with no options, so the task runs its own input once, without retries.
 */
describe('a job whose stored options are not JSON', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  const jobKey = (id: string) => `${stack.keys.prefix}:${QUEUE_NAME}:${id}`;
  const sum = { numbers: [1, 2], operation: 'SUM' as const };

  /** The task's end, once it has one; then several stall checks that must change nothing. */
  async function endsOnce(
    store: TaskStore,
    queue: Queue,
    id: string,
    state: 'COMPLETED' | 'FAILED',
    timeoutMs = 8_000,
  ) {
    const ended = await waitFor(
      async () => {
        const record = await store.get(id);
        return record?.state === state && record;
      },
      { what: `task ${id} to end ${state}`, timeoutMs },
    );
    expect(ended.attempts).toBe(1);
    await sleep(1_500);
    expect(await store.get(id)).toMatchObject({ state, attempts: 1, seq: ended.seq });
    expect(await queue.getJobState(id)).toBe(state.toLowerCase());
    return ended;
  }

  type Deps = Parameters<typeof enqueueTask>[0];
  const options = { ttlMs: 3_600_000, owner: null };
  it.each([
    ['a kind with steps', (deps: Deps) => enqueueTask(deps, sleepTask, { duration: 1 }, options), { status: 'ok' }],
    [
      'an instant kind',
      (deps: Deps) => enqueueTask(deps, calculationTask, sum, options),
      { operation: 'SUM', value: '3', count: 2 },
    ],
  ])('should run the task of %s with its own input, once', async (_what, enqueue, result) => {
    const store = createTaskStore(stack.redis, stack.partitions);
    const queue = createTaskQueue(stack.redis, stack.keys.prefix);
    try {
      const task = await enqueue({ store, partitions: stack.partitions, queues: [queue] });
      await stack.redis.hset(jobKey(task.id), 'opts', '{"attempts": 1');
      // Short locks and stall checks: a job left active would be back in the queue within a second.
      await stack.startWorker({ stalled: { lockDurationMs: 500, checkEveryMs: 250, maxCount: 1 } });

      expect((await endsOnce(store, queue, task.id, 'COMPLETED')).result).toEqual(result);
      const log = await store.logs(task.id, 10);
      expect(log.map((line) => line.message)).toContainEqual(
        expect.stringMatching(/runs once, without retries; job options: unreadable \(opts: .*JSON/),
      );
    } finally {
      await queue.close();
    }
  });

  it.each(['completed', 'failed'] as const)(
    'should run such a job fetched as the next one when a run %s, and go on',
    async (firstEnd) => {
      const store = createTaskStore(stack.redis, stack.partitions);
      const queue = createTaskQueue(stack.redis, stack.keys.prefix);
      try {
        const deps = { store, partitions: stack.partitions, queues: [queue] };
        // A worker that runs one task at a time takes the next with the end of the first (fetch-next).
        const first =
          firstEnd === 'completed'
            ? await enqueueTask(deps, calculationTask, sum, options)
            : await enqueueTask(deps, sleepTask, { duration: 3 }, { ...options, timeoutSeconds: 1 });
        const next = await enqueueTask(deps, calculationTask, sum, options);
        const after = await enqueueTask(deps, calculationTask, sum, options);
        await stack.redis.hset(jobKey(next.id), 'opts', 'not json');
        // Locks far longer than the test waits: the next job is run as it is fetched, not after a stall.
        await stack.startWorker({
          concurrency: 1,
          stalled: { lockDurationMs: 30_000, checkEveryMs: 250, maxCount: 1 },
        });

        await endsOnce(store, queue, first.id, firstEnd === 'completed' ? 'COMPLETED' : 'FAILED');
        expect((await endsOnce(store, queue, next.id, 'COMPLETED', 2_000)).result).toMatchObject({ value: '3' });
        await endsOnce(store, queue, after.id, 'COMPLETED');
      } finally {
        await queue.close();
      }
    },
  );
});

describe('a job the service did not create', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  it('should not take a job named after a property every object has for a kind, and go on running tasks', async () => {
    const store = createTaskStore(stack.redis, stack.partitions);
    const queue = createTaskQueue(stack.redis, stack.keys.prefix);
    try {
      await stack.startWorker();
      for (const name of ['__proto__', 'constructor', 'toString']) await queue.add(name, { duration: 1 });
      await waitFor(async () => Object.values(await stack.jobCounts()).every((count) => count === 0), {
        what: 'the strange jobs to be done with',
      });
      const task = await enqueueTask(
        { store, partitions: stack.partitions, queues: [queue] },
        calculationTask,
        { numbers: [2, 3], operation: 'PRODUCT' },
        {
          ttlMs: 3_600_000,
          owner: null,
        },
      );
      await waitFor(async () => (await store.get(task.id))?.state === 'COMPLETED', { what: 'a real task after them' });
    } finally {
      await queue.close();
    }
  });
});
