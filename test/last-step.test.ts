import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { enqueueTask } from '../core/enqueue-task.js';
import { defineTask } from '../core/task-definition.js';
import { taskKinds } from '../core/task-kinds/index.js';
import { createTaskQueue } from '../core/task-queue.js';
import { parseTaskHash, type TaskRecord } from '../core/task-record.js';
import { createTaskStore, type TaskStore } from '../core/task-store.js';
import { createTestStack, REDIS_URL, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

/**
 * The worker holds a last step (current = total) back until the run ends or the event loop turns:
 * a run that returns at once has it recorded with the end in one script call. Whatever the
 * run does after its last step, the events must be those of a step recorded on its own.
 */
const TOTAL = 2;
const afterLastStep = ['return', 'work on', 'throw', 'missed cancel'] as const;
type AfterLastStep = (typeof afterLastStep)[number];

describe('the last step of a run', () => {
  let stack: TestStack;
  let store: TaskStore;
  let subscriber: Redis;
  const events = new Map<string, TaskRecord[]>();
  /** Task ids by their input's key: a run is not told its task's id. */
  const taskIds = new Map<string, string>();
  /** When the run returned, per task: the last step's event must not wait for it. */
  const returnedAt = new Map<string, number>();
  const eventAt = new Map<string, number[]>();

  const lastStepKind = defineTask({
    name: 'last_step_task',
    description: 'Reports its last step, then does what its input says.',
    input: z.object({ key: z.string(), after: z.enum(afterLastStep) }),
    result: z.object({ ok: z.boolean() }),
    steps: () => TOTAL,
    retry: { attempts: 1, backoffMs: 0 },
    async run({ key, after }, { progress }) {
      const id = await waitFor(() => taskIds.get(key), { what: 'the task id' });
      await progress(1);
      // A cancel whose channel message was lost: only the flag in the record tells the worker.
      if (after === 'missed cancel') await stack.redis.hset(stack.keys.task(id), 'cancelRequested', '1');
      await progress(TOTAL);
      if (after === 'throw') throw new Error('broke after the last step');
      if (after === 'work on') await sleep(500);
      returnedAt.set(id, Date.now());
      return { ok: true };
    },
  });

  beforeEach(async () => {
    stack = await createTestStack();
    store = createTaskStore(stack.redis, stack.partitions);
    await stack.startWorker({ concurrency: 1, kinds: [...taskKinds, lastStepKind] });
    subscriber = new Redis(REDIS_URL);
    subscriber.on('message', (_channel: string, message: string) => {
      const record = parseTaskHash(JSON.parse(message) as Record<string, string>);
      events.set(record.id, [...(events.get(record.id) ?? []), record]);
      eventAt.set(record.id, [...(eventAt.get(record.id) ?? []), Date.now()]);
    });
    await subscriber.subscribe(stack.keys.allTasksChannel);
  });

  afterEach(async () => {
    await subscriber.quit();
    await stack.close();
  });

  async function run(after: AfterLastStep) {
    const queue = createTaskQueue(stack.redis, stack.keys.prefix);
    try {
      const key = randomUUID();
      const task = await enqueueTask(
        { store, partitions: stack.partitions, queues: [queue] },
        lastStepKind,
        { key, after },
        { ttlMs: 3_600_000, owner: null },
      );
      taskIds.set(key, task.id);
      const terminal = await waitFor(
        async () => {
          const record = await store.get(task.id);
          return record && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(record.state) && record;
        },
        { what: `the end of the run that does "${after}"` },
      );
      await waitFor(() => events.get(task.id)?.at(-1)?.state === terminal.state, { what: 'the last event' });
      const seen = events.get(task.id)!;
      // Every change its own event, each sequence number one more than the last.
      expect(seen.map((event) => event.seq)).toEqual(seen.map((_, i) => seen[0]!.seq + i));
      return { id: task.id, terminal, seen: seen.map((event) => [event.state, event.current]) };
    } finally {
      await queue.close();
    }
  }

  it.each([['return'], ['work on']] as const)(
    'should publish the last step, then COMPLETED, when the run goes on to %s',
    async (after) => {
      const { id, terminal, seen } = await run(after);
      expect(terminal).toMatchObject({ state: 'COMPLETED', current: TOTAL, progress: 100, result: { ok: true } });
      expect(seen).toEqual([
        ['QUEUED', 0],
        ['ACTIVE', 0],
        ['ACTIVE', 1],
        ['ACTIVE', TOTAL],
        ['COMPLETED', TOTAL],
      ]);
      if (after === 'work on') {
        // Held back for one turn of the event loop at most, not until the run returned.
        const lastStepEvent = eventAt.get(id)![3]!;
        expect(lastStepEvent).toBeLessThan(returnedAt.get(id)! - 250);
      }
    },
  );

  it('should publish the last step, then FAILED, when the run throws right after it', async () => {
    const { terminal, seen } = await run('throw');
    expect(terminal).toMatchObject({ state: 'FAILED', error: 'broke after the last step' });
    expect(seen).toEqual([
      ['QUEUED', 0],
      ['ACTIVE', 0],
      ['ACTIVE', 1],
      ['ACTIVE', TOTAL],
      ['FAILED', TOTAL],
    ]);
  });

  it('should cancel instead of recording the last step when a cancel was requested by then', async () => {
    const { terminal, seen } = await run('missed cancel');
    expect(terminal.state).toBe('CANCELLED');
    expect(seen).toEqual([
      ['QUEUED', 0],
      ['ACTIVE', 0],
      ['ACTIVE', 1],
      ['CANCELLED', 1],
    ]);
  });
});
