import { threadId } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueueTask, type EnqueueOptions } from '../core/enqueue-task.js';
import { createTaskQueue } from '../core/task-queue.js';
import type { TaskRecord } from '../core/task-record.js';
import { createTaskStore, type TaskStore } from '../core/task-store.js';
import type { Queue } from 'bullmq';
import threadTestTask from './support/thread-test-task.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

type Mode = 'spin' | 'throw' | 'unrecoverable' | 'bad detail' | 'write';

/** A kind declared `isolation: 'thread'`, on a real worker: what its run does there reaches the record as inline. */
describe('a run in a worker thread', () => {
  let stack: TestStack;
  let store: TaskStore;
  let queue: Queue;

  beforeEach(async () => {
    stack = await createTestStack();
    store = createTaskStore(stack.redis, stack.partitions);
    queue = createTaskQueue(stack.redis, stack.keys.prefix);
    const file = new URL('./support/thread-test-task.ts', import.meta.url);
    await stack.startWorker({
      kinds: [threadTestTask],
      kindFile: (name) => (name === threadTestTask.name ? file : undefined),
    });
  });

  afterEach(async () => {
    await queue.close();
    await stack.close();
  });

  const options: EnqueueOptions = { ttlMs: 60_000, owner: null };
  const run = (mode: Mode, extra: Partial<EnqueueOptions> = {}) =>
    enqueueTask(
      { store, partitions: stack.partitions, queues: [queue] },
      threadTestTask,
      { mode },
      { ...options, ...extra },
    );
  const ended = (id: string, timeoutMs = 15_000): Promise<TaskRecord> =>
    waitFor(
      async () => {
        const record = await store.get(id);
        return record?.finishedAt && record;
      },
      { what: `the end of task ${id}`, timeoutMs },
    );
  const started = (id: string) =>
    waitFor(async () => ((await store.get(id))?.current ?? 0) >= 1 || undefined, {
      what: 'its first step',
      timeoutMs: 15_000,
    });

  /** CPU time this process (its every thread) spends over `ms`, as a share of one core. */
  async function coresBusy(ms: number): Promise<number> {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const { user, system } = process.cpuUsage(before);
    return (user + system) / 1000 / ms;
  }

  it("should run in a thread of its own, its steps, details and log lines recorded as an inline run's", async () => {
    const task = await run('write');
    const done = await ended(task.id);
    expect(done).toMatchObject({ state: 'COMPLETED', current: 2, progressDetail: { stage: 'done' } });
    expect((done.result as { threadId: number }).threadId).not.toBe(threadId);
    expect((await store.logs(task.id, 10)).map((line) => `${line.level} ${line.message}`)).toEqual([
      `warn a line from thread ${(done.result as { threadId: number }).threadId}`,
    ]);
  });

  it('should stop a run that never yields within a second of a cancel, ending its thread', async () => {
    const task = await run('spin');
    await started(task.id);
    const asked = Date.now();
    await store.cancel(task);
    expect((await ended(task.id, 5_000)).state).toBe('CANCELLED');
    expect(Date.now() - asked).toBeLessThan(1_000);
    expect(await coresBusy(1_000)).toBeLessThan(0.3);
  });

  it('should fail a run that never yields at its time limit, ending its thread', async () => {
    const task = await run('spin', { timeoutSeconds: 1 });
    const failed = await ended(task.id, 5_000);
    // The kind retries: its time limit is no reason to give up on it.
    expect(failed).toMatchObject({ state: 'FAILED', attempts: 2 });
    expect(failed.error).toBe('the task reached its time limit of 1 s (timeoutSeconds)');
    expect(await coresBusy(1_000)).toBeLessThan(0.3);
  });

  it('should fail with what the thread threw, retrying as the kind says unless it was unrecoverable', async () => {
    const broke = await run('throw');
    const unrecoverable = await run('unrecoverable');
    const badDetail = await run('bad detail');
    expect(await ended(broke.id)).toMatchObject({ state: 'FAILED', attempts: 2, error: 'attempt 2 broke' });
    expect(await ended(unrecoverable.id)).toMatchObject({ state: 'FAILED', attempts: 1, error: 'broke for good' });
    expect(await ended(badDetail.id)).toMatchObject({
      state: 'FAILED',
      attempts: 1,
      error:
        'step 2 of thread_test_task reported an invalid progress detail: stage: Invalid input: expected string, received number',
      progressDetail: { stage: 'started' },
    });
  });
});
