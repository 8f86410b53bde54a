import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { enqueueTask } from '../core/enqueue-task.js';
import { defineTaskKind } from '../core/task-kinds/task-kind.js';
import { createTaskQueue } from '../core/task-queue.js';
import { parseTaskHash, type TaskRecord } from '../core/task-record.js';
import { createTaskStore, type TaskStore } from '../core/task-store.js';
import { taskProcessors } from '../worker/processors/index.js';
import { defineProcessor } from '../worker/processors/task-processor.js';
import { createTestStack, REDIS_URL, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

/**
 * The worker holds a last step (current = total) back until the run ends or the event loop turns:
 * a processor that returns at once has it recorded with the end in one script call. Whatever the
 * processor does after its last step, the events must be those of a step recorded on its own.
 */
const TOTAL = 2;
const afterLastStep = ['return', 'work on', 'throw', 'missed cancel'] as const;
type AfterLastStep = (typeof afterLastStep)[number];

const lastStepKind = defineTaskKind({
  name: 'last_step_task',
  input: z.object({ key: z.string(), after: z.enum(afterLastStep) }),
  result: z.object({ ok: z.boolean() }),
  totalSteps: () => TOTAL,
  retry: { attempts: 1, backoffMs: 0 },
});

describe('the last step of a run', () => {
  let stack: TestStack;
  let store: TaskStore;
  let subscriber: Redis;
  const events = new Map<string, TaskRecord[]>();
  /** Task ids by their input's key: the processor is not told its task's id. */
  const taskIds = new Map<string, string>();
  /** When the processor returned, per task: the last step's event must not wait for it. */
  const returnedAt = new Map<string, number>();
  const eventAt = new Map<string, number[]>();

  beforeEach(async () => {
    stack = await createTestStack();
    store = createTaskStore(stack.redis, stack.partitions);
    const processor = defineProcessor({
      kind: lastStepKind,
      async run({ key, after }, { reportProgress }) {
        const id = await waitFor(() => taskIds.get(key), { what: 'the task id' });
        await reportProgress(1, TOTAL);
        // A cancel whose channel message was lost: only the flag in the record tells the worker.
        if (after === 'missed cancel') await stack.redis.hset(stack.keys.task(id), 'cancelRequested', '1');
        await reportProgress(TOTAL, TOTAL);
        if (after === 'throw') throw new Error('broke after the last step');
        if (after === 'work on') await sleep(500);
        returnedAt.set(id, Date.now());
        return { ok: true };
      },
    });
    await stack.startWorker({ concurrency: 1, processors: [...taskProcessors, processor] });
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
    'should publish the last step, then COMPLETED, when the processor goes on to %s',
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
        // Held back for one turn of the event loop at most, not until the processor returned.
        const lastStepEvent = eventAt.get(id)![3]!;
        expect(lastStepEvent).toBeLessThan(returnedAt.get(id)! - 250);
      }
    },
  );

  it('should publish the last step, then FAILED, when the processor throws right after it', async () => {
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
