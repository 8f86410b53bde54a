import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueueTask } from '../core/enqueue-task.js';
import sleepTask from '../tasks/sleep.js';
import { createTaskQueue } from '../core/task-queue.js';
import { createTaskStore, type TaskStore } from '../core/task-store.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

/**
 * A delayed task's job is added once its record is written; BullMQ counts the job's delay from
 * then. A slow write (a busy Redis, a burst of creates) must not make the task start late.
 */
describe('a task with a start time', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  it('should have its job due at its start time however long its record took to write, and start no earlier', async () => {
    const store = createTaskStore(stack.redis, stack.partitions);
    const writeMs = 300;
    const slowStore: TaskStore = {
      ...store,
      create: async (task) => {
        await sleep(writeMs);
        return store.create(task);
      },
    };
    const queue = createTaskQueue(stack.redis, stack.keys.prefix);
    try {
      const runAt = Date.now() + 1_500;
      const task = await enqueueTask(
        { store: slowStore, partitions: stack.partitions, queues: [queue] },
        sleepTask,
        { duration: 1 },
        { ttlMs: 3_600_000, owner: null, runAt },
      );
      const job = await queue.getJob(task.id);
      // BullMQ's own clock reading, a moment after ours: within a few milliseconds.
      const due = job!.timestamp + job!.delay;
      expect(due).toBeGreaterThanOrEqual(runAt);
      expect(due).toBeLessThan(runAt + writeMs / 3);

      await stack.startWorker();
      const completed = await waitFor(
        async () => {
          const record = await store.get(task.id);
          return record?.state === 'COMPLETED' && record;
        },
        { what: 'the task to complete', timeoutMs: 10_000 },
      );
      expect(completed.runAt?.getTime()).toBe(runAt);
      expect(completed.startedAt!.getTime()).toBeGreaterThanOrEqual(runAt);
    } finally {
      await queue.close();
    }
  });
});
