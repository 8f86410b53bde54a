import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueueTask, type EnqueueOptions } from '../core/enqueue-task.js';
import { createTaskQueue } from '../core/task-queue.js';
import type { TaskRecord } from '../core/task-record.js';
import { createTaskStore, type TaskStore } from '../core/task-store.js';
import primeCountTask, { countPrimes, segmentCount } from '../tasks/prime-count.js';
import sleepTask from '../tasks/sleep.js';
import type { Queue } from 'bullmq';
import { createTestStack, type TestStack } from './support/stack.js';
import { recordTaskEvents, type TaskEvents } from './support/task-events.js';
import { waitFor } from '../testbed/wait.js';

const TOP_LIMIT = 2_000_000_000;

describe('the sieve', () => {
  it('should count the primes up to a limit, one segment a step', async () => {
    const known: [number, number][] = [
      [2, 1],
      [3, 2],
      [10, 4],
      [100, 25],
      [65_536, 6_542],
      [65_537, 6_543],
      [1_000_000, 78_498],
      [10_000_000, 664_579],
    ];
    for (const [limit, count] of known) {
      const seen: number[] = [];
      expect(await countPrimes(limit, (_segment, checkedUpTo) => seen.push(checkedUpTo))).toBe(count);
      expect(seen).toHaveLength(segmentCount(limit));
      expect(seen.at(-1)).toBe(limit);
    }
    expect(segmentCount(TOP_LIMIT)).toBe(100);
  });
});

/** prime_count_task on a real worker, in its thread: its steps, its result, its cancel and time limit. */
describe('prime_count_task', () => {
  let stack: TestStack;
  let store: TaskStore;
  let queue: Queue;
  let recorded: TaskEvents;
  let events: Map<string, TaskRecord[]>;

  beforeEach(async () => {
    stack = await createTestStack();
    store = createTaskStore(stack.redis, stack.partitions);
    queue = createTaskQueue(stack.redis, stack.keys.prefix);
    await stack.startWorker();
    recorded = await recordTaskEvents(stack.keys.allTasksChannel);
    events = recorded.events;
  });

  afterEach(async () => {
    await recorded.close();
    await queue.close();
    await stack.close();
  });

  const options: EnqueueOptions = { ttlMs: 60_000, owner: null };
  const countTo = (limit: number, extra: Partial<EnqueueOptions> = {}) =>
    enqueueTask(
      { store, partitions: stack.partitions, queues: [queue] },
      primeCountTask,
      { limit },
      { ...options, ...extra },
    );
  const ended = (id: string, timeoutMs = 20_000) =>
    waitFor(
      async () => {
        const record = await store.get(id);
        return record?.finishedAt && record;
      },
      { what: `the end of task ${id}`, timeoutMs },
    );
  const steps = (id: string) => (events.get(id) ?? []).filter((event) => event.state === 'ACTIVE' && event.current > 0);

  /** CPU time this process (its every thread) spends over `ms`, as a share of one core. */
  async function coresBusy(ms: number): Promise<number> {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const { user, system } = process.cpuUsage(before);
    return (user + system) / 1000 / ms;
  }

  it('should count correctly, each step carrying how far it has checked', async () => {
    const small = await countTo(100);
    const million = await countTo(1_000_000);
    const large = await countTo(100_000_000);
    expect(await ended(small.id)).toMatchObject({
      state: 'COMPLETED',
      result: { count: 25 },
      current: 1,
      total: 1,
      progressDetail: { checkedUpTo: 100 },
    });
    expect(await ended(million.id)).toMatchObject({ state: 'COMPLETED', result: { count: 78_498 } });
    const done = await ended(large.id);
    expect(done).toMatchObject({ state: 'COMPLETED', result: { count: 5_761_455 }, current: 100, total: 100 });
    await waitFor(() => events.get(large.id)?.at(-1)?.state === 'COMPLETED', { what: 'the last event' });

    const reported = steps(large.id);
    expect(reported.map((event) => event.current)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const checked = reported.map((event) => (event.progressDetail as { checkedUpTo: number }).checkedUpTo);
    expect(checked.every((upTo, i) => i === 0 || upTo > checked[i - 1]!)).toBe(true);
    expect(checked.at(-1)).toBe(100_000_000);
    const logs = await store.logs(large.id, 10);
    expect(logs.map((line) => line.message)).toEqual([
      'counting the primes up to 100000000 in 100 segments',
      '5761455 primes up to 100000000',
    ]);
  });

  it('should stop its thread within a second of a cancel, while it sieves', async () => {
    const task = await countTo(TOP_LIMIT);
    await waitFor(() => steps(task.id).length >= 1, { what: 'a first segment', timeoutMs: 20_000 });
    const asked = Date.now();
    await store.cancel(task);
    const cancelled = await ended(task.id, 5_000);
    expect(cancelled.state).toBe('CANCELLED');
    expect(Date.now() - asked).toBeLessThan(1_000);
    expect(await coresBusy(1_000)).toBeLessThan(0.3); // and then nothing does
  });

  it('should fail at its time limit, saying which', async () => {
    const task = await countTo(TOP_LIMIT, { timeoutSeconds: 1 });
    const failed = await ended(task.id, 5_000);
    expect(failed).toMatchObject({ state: 'FAILED', error: 'the task reached its time limit of 1 s (timeoutSeconds)' });
    expect(failed.finishedAt!.getTime() - failed.startedAt!.getTime()).toBeLessThan(1_500);
    expect(await coresBusy(1_000)).toBeLessThan(0.3);
  });

  it('should leave a sleep task on the same worker its one-second steps', async () => {
    const primes = await countTo(TOP_LIMIT);
    await waitFor(() => steps(primes.id).length >= 1, { what: 'a first segment', timeoutMs: 20_000 });
    const sleep = await enqueueTask(
      { store, partitions: stack.partitions, queues: [queue] },
      sleepTask,
      // Short enough that the longest sieve (about 7 s on a fast machine) outlasts it.
      { duration: 3 },
      options,
    );
    const slept = await ended(sleep.id);
    expect(slept.state).toBe('COMPLETED');
    await waitFor(() => events.get(sleep.id)?.at(-1)?.state === 'COMPLETED', { what: 'the last event' });
    // The sieve held its core while the sleep stepped: still running, or ended after the sleep's
    // first step (on a fast machine, under Node 24, the whole sieve takes about two seconds).
    const sieve = (await store.get(primes.id))!;
    const firstStep = steps(sleep.id)[0]!.changedAt!;
    expect(
      sieve.state === 'ACTIVE' || sieve.finishedAt!.getTime() >= firstStep,
      `the sieve ${sieve.state} at ${sieve.finishedAt?.getTime()} (${sieve.error}), the sleep's first step at ${firstStep}`,
    ).toBe(true);
    // Each step aims at a whole second from the start (Redis' clock): how late each one is.
    const started = events.get(sleep.id)!.find((event) => event.state === 'ACTIVE')!.changedAt!;
    const late = steps(sleep.id).map((event) => event.changedAt! - started - event.current * 1000);
    // One step a second, none held back to the next: how little late they are is the isolation
    // benchmark's figure (a test on a shared machine cannot hold a step to milliseconds).
    expect(late).toHaveLength(3);
    for (const ms of late) expect(ms).toBeLessThan(1_000);
    await store.cancel(primes);
    await ended(primes.id);
  });
});
