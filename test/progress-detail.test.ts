import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { enqueueTask } from '../core/enqueue-task.js';
import { defineTask } from '../core/task-definition.js';
import { createTaskQueue } from '../core/task-queue.js';
import type { TaskRecord } from '../core/task-record.js';
import { createTaskStore, type TaskStore } from '../core/task-store.js';
import { MAX_PROGRESS_DETAIL_CHARS } from '../worker/progress-detail.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { recordTaskEvents, type TaskEvents } from './support/task-events.js';
import { waitFor } from '../testbed/wait.js';

const modes = ['steps', 'retried', 'invalid', 'too long'] as const;

/** Runs by task key, for the retried mode to fail its first. */
const runs = new Map<string, number>();

/** A kind whose steps carry a typed detail, each mode reporting them its own way. */
const detailKind = defineTask({
  name: 'detail_task',
  description: 'Reports typed progress details.',
  input: z.object({ key: z.string(), mode: z.enum(modes) }),
  result: z.object({ ok: z.boolean() }),
  progress: z.object({ stage: z.enum(['read', 'write']), rows: z.int(), note: z.string().optional() }),
  steps: () => 3,
  retry: { attempts: 2, backoffMs: 50 },
  async run({ key, mode }, { progress }) {
    const run = (runs.get(key) ?? 0) + 1;
    runs.set(key, run);
    if (mode === 'invalid') await progress(1, { stage: 'read', rows: 'many' } as never);
    if (mode === 'too long') await progress(1, { stage: 'read', rows: 1, note: 'x'.repeat(MAX_PROGRESS_DETAIL_CHARS) });
    await progress(1, { stage: 'read', rows: 10 });
    if (mode === 'retried' && run === 1) throw new Error('first run failed');
    await progress(2); // no detail: the record holds none after it
    await progress(3, { stage: 'write', rows: 30 }); // the last step, recorded with the end
    return { ok: true };
  },
});

/** A kind that declares no detail, reporting one. */
const plainKind = defineTask({
  name: 'plain_task',
  description: 'Reports a detail it does not declare.',
  input: z.object({ key: z.string() }),
  result: z.object({ ok: z.boolean() }),
  steps: () => 1,
  async run(_input, { progress }) {
    await progress(1, { rows: 1 } as never);
    return { ok: true };
  },
});

describe('progress details', () => {
  let stack: TestStack;
  let store: TaskStore;
  let recorded: TaskEvents;
  let events: Map<string, TaskRecord[]>;

  beforeEach(async () => {
    stack = await createTestStack();
    store = createTaskStore(stack.redis, stack.partitions);
    await stack.startWorker({ kinds: [detailKind, plainKind] });
    recorded = await recordTaskEvents(stack.keys.allTasksChannel);
    events = recorded.events;
  });

  afterEach(async () => {
    await recorded.close();
    await stack.close();
  });

  async function run(kind: typeof detailKind | typeof plainKind, input: object) {
    const queue = createTaskQueue(stack.redis, stack.keys.prefix);
    try {
      const task = await enqueueTask(
        { store, partitions: stack.partitions, queues: [queue] },
        kind,
        { key: randomUUID(), ...input } as never,
        { ttlMs: 60_000, owner: null },
      );
      const ended = await waitFor(
        async () => {
          const record = await store.get(task.id);
          return record && ['COMPLETED', 'FAILED'].includes(record.state) && record;
        },
        { what: `the end of ${kind.name}` },
      );
      await waitFor(() => events.get(task.id)?.at(-1)?.state === ended.state, { what: 'the last event' });
      const seen = events.get(task.id)!;
      expect(seen.map((event) => event.seq)).toEqual(seen.map((_, i) => seen[0]!.seq + i));
      return { ended, seen: seen.map((event) => [event.state, event.current, event.progressDetail]) };
    } finally {
      await queue.close();
    }
  }

  it('should publish each step with its detail, in order, and keep the last in the record', async () => {
    const { ended, seen } = await run(detailKind, { mode: 'steps' });
    expect(seen).toEqual([
      ['QUEUED', 0, null],
      ['ACTIVE', 0, null],
      ['ACTIVE', 1, { stage: 'read', rows: 10 }],
      ['ACTIVE', 2, null],
      ['ACTIVE', 3, { stage: 'write', rows: 30 }],
      ['COMPLETED', 3, { stage: 'write', rows: 30 }],
    ]);
    expect(ended.progressDetail).toEqual({ stage: 'write', rows: 30 });
    expect(JSON.parse((await stack.redis.hget(stack.keys.task(ended.id), 'progressDetail'))!)).toEqual({
      stage: 'write',
      rows: 30,
    });
  });

  it("should start a retried run with no detail, the failed run's last kept until then", async () => {
    const { ended, seen } = await run(detailKind, { mode: 'retried' });
    expect(ended).toMatchObject({ state: 'COMPLETED', attempts: 2 });
    expect(seen).toEqual([
      ['QUEUED', 0, null],
      ['ACTIVE', 0, null],
      ['ACTIVE', 1, { stage: 'read', rows: 10 }],
      ['QUEUED', 1, { stage: 'read', rows: 10 }],
      ['ACTIVE', 0, null],
      ['ACTIVE', 1, { stage: 'read', rows: 10 }],
      ['ACTIVE', 2, null],
      ['ACTIVE', 3, { stage: 'write', rows: 30 }],
      ['COMPLETED', 3, { stage: 'write', rows: 30 }],
    ]);
  });

  it('should fail the run, without a retry, on a detail its kind refuses, naming the field', async () => {
    const { ended, seen } = await run(detailKind, { mode: 'invalid' });
    expect(ended).toMatchObject({ state: 'FAILED', attempts: 1, progressDetail: null });
    expect(ended.error).toMatch(
      /^step 1 of detail_task reported an invalid progress detail: rows: .*expected number, received string$/,
    );
    expect(seen.map(([state]) => state)).toEqual(['QUEUED', 'ACTIVE', 'FAILED']);
  });

  it('should fail the run on a detail too long to publish with every step', async () => {
    const { ended } = await run(detailKind, { mode: 'too long' });
    expect(ended.state).toBe('FAILED');
    expect(ended.error).toContain(`more than ${MAX_PROGRESS_DETAIL_CHARS}`);
  });

  it('should fail the run of a kind that declares no detail and reports one', async () => {
    const { ended } = await run(plainKind, {});
    expect(ended).toMatchObject({
      state: 'FAILED',
      error: 'step 1 of plain_task reported a progress detail, but its kind declares no `progress` schema',
    });
  });
});
