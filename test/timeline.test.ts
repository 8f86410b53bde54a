import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TIMELINE_LENGTH } from '../core/limits.js';
import { createTaskStore, type TaskStore } from '../core/task-store.js';
import { gql, gqlData, watch, wsClient } from './support/graphql.js';
import {
  CANCEL_TASK,
  CREATE_SLEEP,
  DELETE_TASK,
  GET_TIMELINE,
  type TaskData,
  type TaskEventData,
} from './support/operations.js';
import { sleepRecord } from './support/records.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

interface TimelineData {
  task: { id: string; state: string; retryOf: string | null; timeline: TaskEventData[] } | null;
}

/** The timeline as one line per change: state, steps, attempt, message. */
const lines = (events: readonly TaskEventData[]) =>
  events.map(({ state, current, total, attempt, message }) =>
    [state, current !== null && `${current}/${total ?? '?'}`, attempt !== null && `#${attempt}`, message]
      .filter(Boolean)
      .join(' '),
  );

describe("a task's timeline", () => {
  let stack: TestStack;
  let store: TaskStore;

  beforeEach(async () => {
    stack = await createTestStack();
    store = createTaskStore(stack.redis, stack.partitions);
  });

  afterEach(() => stack.close());

  const timelineOf = async (url: string, id: string) =>
    (await gqlData<TimelineData>(url, GET_TIMELINE, { id })).task!.timeline;

  it('should hold every change of a run, each with its time, from queued to completed', async () => {
    const api = await stack.startApi();
    await stack.startWorker({ name: 'worker-a' });
    const before = Date.now();
    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 3 },
    });
    await waitFor(async () => (await timelineOf(api.url, task.id)).at(-1)?.state === 'COMPLETED', {
      timeoutMs: 10_000,
      what: 'the end in the timeline',
    });
    const timeline = await timelineOf(api.url, task.id);
    expect(lines(timeline)).toEqual([
      'QUEUED',
      'ACTIVE 0/3 #1 started on worker-a',
      'ACTIVE 1/3 #1',
      'ACTIVE 2/3 #1',
      'ACTIVE 3/3 #1',
      'COMPLETED 3/3 #1',
    ]);
    const times = timeline.map((event) => Date.parse(event.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(before - 1_000);
    // A second a step.
    expect(times[3]! - times[2]!).toBeGreaterThan(800);
  });

  it('should show a run handed back by a stopping worker, and the next run that ends the task', async () => {
    const api = await stack.startApi();
    const stopping = await stack.startWorker({ name: 'stopping' }); // hands back after 2 s
    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 4 },
    });
    await waitFor(async () => (await store.get(task.id))!.current >= 1, { what: 'a step' });
    await stopping.close();
    await stack.startWorker({ name: 'taking-over' });
    await waitFor(async () => (await store.get(task.id))!.state === 'COMPLETED', {
      timeoutMs: 15_000,
      what: 'completion',
    });
    const timeline = lines(await timelineOf(api.url, task.id));
    const handedBack = timeline.findIndex((line) => line.startsWith('QUEUED') && line.includes('#1'));
    expect(timeline.slice(0, 2)).toEqual(['QUEUED', 'ACTIVE 0/4 #1 started on stopping']);
    expect(timeline[handedBack]).toMatch(/^QUEUED \d\/4 #1 the worker stopped before the task finished$/);
    expect(timeline.slice(handedBack + 1)).toEqual([
      'ACTIVE 0/4 #2 started on taking-over',
      'ACTIVE 1/4 #2',
      'ACTIVE 2/4 #2',
      'ACTIVE 3/4 #2',
      'ACTIVE 4/4 #2',
      'COMPLETED 4/4 #2',
    ]);
  });

  it('should end with the error of a failure, and with CANCELLED for a cancelled task', async () => {
    const api = await stack.startApi();
    await stack.startWorker({ maxTimeoutSeconds: 1 });
    const create = async (duration: number) =>
      (await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, { input: { duration } })).createSleepTask;
    const failing = await create(3);
    await waitFor(async () => (await store.get(failing.id))!.state === 'FAILED', { what: 'the failure' });
    expect(lines(await timelineOf(api.url, failing.id)).at(-1)).toMatch(
      /^FAILED [01]\/3 #1 sleep of 3 s reached the worker's max timeout of 1 s \(WORKER_MAX_TIMEOUT\)$/,
    );

    const running = await create(30);
    await waitFor(async () => (await store.get(running.id))!.state === 'ACTIVE', { what: 'the start' });
    await gqlData(api.url, CANCEL_TASK, { id: running.id });
    await waitFor(async () => (await store.get(running.id))!.state === 'CANCELLED', { what: 'the cancel' });
    expect(lines(await timelineOf(api.url, running.id)).at(-1)).toMatch(/^CANCELLED \d+\/30 #1$/);
  });

  it('should send the timeline so far with each change to a subscriber that asks for it', async () => {
    const api = await stack.startApi();
    const client = wsClient(api.url);
    try {
      const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
        input: { duration: 2 },
      });
      const changes = watch<{ taskProgress: { version: number; timeline: TaskEventData[] } }>(
        client,
        `subscription ($id: ID!) { taskProgress(id: $id) { version timeline { state current } } }`,
        { id: task.id },
      );
      await waitFor(() => changes.values.length === 1, { what: 'the snapshot' });
      await stack.startWorker();
      await within(changes.ended, 10_000, 'the end of the subscription');
      expect(changes.error).toBeNull();
      const lengths = changes.values.map(({ taskProgress }) => taskProgress.timeline.length);
      expect(lengths).toEqual([1, 2, 3, 4, 5]);
      expect(changes.values.at(-1)!.taskProgress.timeline.map(({ state }) => state)).toEqual([
        'QUEUED',
        'ACTIVE',
        'ACTIVE',
        'ACTIVE',
        'COMPLETED',
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('should keep about forty steps of a long run, spread evenly, and the newest hundred changes', async () => {
    const task = await sleepRecord(store, { total: 300 });
    const runId = randomUUID();
    await store.start(task, runId, 'a worker', { attemptsMade: 0 });
    for (let current = 1; current <= 300; current++) await store.progress(task, runId, { current, total: 300 });
    const steps = (await store.timeline(task.id)).filter((event) => event.current !== null && event.current > 0);
    expect(steps).toHaveLength(40);
    expect(steps.map((step) => step.current)).toEqual(
      Array.from({ length: 40 }, (_, i) => Math.ceil(((i + 1) * 300) / 40)),
    );
    expect((await store.timeline(task.id)).slice(0, 2).map((event) => event.state)).toEqual(['QUEUED', 'ACTIVE']);

    // Run after run handed back: the oldest changes go, the newest stay.
    for (let run = 0; run < 60; run++) {
      const again = randomUUID();
      await store.start(task, again, 'a worker', { attemptsMade: 0 });
      await store.finish(task, again, { state: 'QUEUED', error: `run ${run} handed back` });
    }
    const kept = await store.timeline(task.id);
    expect(kept).toHaveLength(TIMELINE_LENGTH);
    expect(kept.at(-1)).toMatchObject({ state: 'QUEUED', message: 'run 59 handed back', attempt: 61 });
    expect(kept[0]!.state).not.toBe('QUEUED');
  });

  it('should be deleted with its task, expire with it, and keep a long message short', async () => {
    const api = await stack.startApi();
    const { createSleepTask: deleted } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 1 },
    });
    expect(await stack.redis.exists(stack.keys.timeline(deleted.id))).toBe(1);
    await gqlData(api.url, DELETE_TASK, { id: deleted.id });
    expect(await stack.redis.exists(stack.keys.timeline(deleted.id))).toBe(0);

    // Kept 300 ms once finished: the API's sweep forgets it, the timeline with it.
    const expiring = await sleepRecord(store, { ttlMs: 300 });
    const runId = randomUUID();
    await store.start(expiring, runId, 'a worker', { attemptsMade: 0 });
    await store.finish(expiring, runId, { state: 'FAILED', error: 'x'.repeat(2_000) });
    const ttl = await stack.redis.pttl(stack.keys.timeline(expiring.id));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    expect((await store.timeline(expiring.id)).at(-1)!.message).toBe('x'.repeat(500));
    await waitFor(async () => (await stack.redis.exists(stack.keys.task(expiring.id))) === 0, { what: 'the sweep' });
    expect(await stack.redis.exists(stack.keys.timeline(expiring.id))).toBe(0);
    expect((await gqlData<TimelineData>(api.url, GET_TIMELINE, { id: expiring.id })).task).toBeNull();
  });

  it('should cost a list of tasks a hundred times over, so that a page of timelines is refused', async () => {
    const api = await stack.startApi();
    const page = await gql(api.url, '{ tasks(first: 100) { nodes { id timeline { at state message } } } }');
    expect(page.errors).toMatchObject([
      {
        extensions: {
          code: 'GRAPHQL_VALIDATION_FAILED',
          costLimit: { limit: 'maxCost', actual: 1 + 100 * (2 + 100 * 4) },
        },
      },
    ]);
    const few = await gql(api.url, '{ tasks(first: 5) { nodes { id timeline { at state message } } } }');
    expect(few.errors).toBeUndefined();
  });
});
