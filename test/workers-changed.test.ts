import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerInfo } from '../core/worker-registry.js';
import { createWorkerFeed } from '../src/tasks/worker-feed.js';
import { gqlData, watch, wsClient } from './support/graphql.js';
import { CANCEL_TASK, CREATE_SLEEP, TASK_UPDATED, WORKERS_CHANGED, type TaskData } from './support/operations.js';
import { logger, createTestStack, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

interface WorkerData {
  name: string;
  activeTasks: number;
  uptime: number;
}

const worker = (name: string, activeTasks = 0): WorkerInfo => ({
  name,
  concurrency: 1,
  startedAt: new Date(0),
  taskNames: ['sleep_task'],
  activeTasks,
});

describe('the worker feed', () => {
  it('should read the registry once a tick for all its watches, only while someone watches', async () => {
    let reads = 0;
    let workers = [worker('a')];
    const feed = createWorkerFeed({
      list: async () => {
        reads++;
        return workers;
      },
      everyMs: 20,
      logger,
    });
    try {
      const watches = await Promise.all(Array.from({ length: 50 }, () => feed.watch()));
      // The snapshot first, from one read shared by all.
      const firsts = await Promise.all(watches.map((each) => each.next()));
      expect(firsts.every(({ value }) => value[0].name === 'a')).toBe(true);
      const started = reads;
      await waitFor(() => reads >= started + 10, { what: 'ten ticks' });
      expect(reads).toBeLessThan(started + 15); // one read a tick, whatever the watches
      // Nothing is sent while nothing changes; a change reaches every watch once.
      workers = [worker('a', 1)];
      const seconds = await Promise.all(watches.map((each) => each.next()));
      expect(seconds.every(({ value }) => value[0].activeTasks === 1)).toBe(true);

      await Promise.all(watches.map((each) => each.return!()));
      const idle = reads;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(reads).toBe(idle);
    } finally {
      feed.close();
    }
  });

  it('should keep a slow watch to the newest list, not a queue of them', async () => {
    let workers = [worker('a')];
    const feed = createWorkerFeed({ list: async () => workers, everyMs: 10, logger });
    try {
      const slowWatch = await feed.watch();
      for (const active of [1, 2, 3]) {
        workers = [worker('a', active)];
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      expect((await slowWatch.next()).value[0].activeTasks).toBe(3);
      await slowWatch.return!();
      expect(await slowWatch.next()).toEqual({ done: true, value: undefined });
    } finally {
      feed.close();
    }
  });
});

describe('workersChanged', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  it('should push the workers list when a worker starts, runs a task and stops', async () => {
    const api = await stack.startApi();
    const client = wsClient(api.url);
    try {
      const changes = watch<{ workersChanged: WorkerData[] }>(client, WORKERS_CHANGED);
      await waitFor(() => changes.values.length === 1, { what: 'the snapshot' });
      expect(changes.values[0]!.workersChanged).toEqual([]);

      const started = await stack.startWorker({ name: 'pushed-worker' });
      const last = () => changes.values.at(-1)!.workersChanged;
      await waitFor(() => last()[0]?.name === 'pushed-worker', { timeoutMs: 3_000, what: 'the worker' });
      expect(last()).toMatchObject([{ name: 'pushed-worker', activeTasks: 0 }]);

      const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
        input: { duration: 30 },
      });
      await waitFor(() => last()[0]?.activeTasks === 1, { timeoutMs: 3_000, what: 'one active task' });
      await gqlData(api.url, CANCEL_TASK, { id: task.id });
      await waitFor(() => last()[0]?.activeTasks === 0, { timeoutMs: 3_000, what: 'no active task' });

      await started.close();
      await waitFor(() => last().length === 0, { timeoutMs: 3_000, what: 'the worker gone' });
      // A list was sent only when it changed: no two in a row are the same.
      const sent = changes.values.map(({ workersChanged }) =>
        JSON.stringify(workersChanged.map(({ name, activeTasks }) => [name, activeTasks])),
      );
      expect(sent.every((list, i) => i === 0 || list !== sent[i - 1])).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('should count against the per-client limits as taskUpdated does, apart from it', async () => {
    const api = await stack.startApi({ limits: { maxTaskUpdatedPerClient: 2 } });
    const client = wsClient(api.url);
    try {
      const live = [watch(client, WORKERS_CHANGED), watch(client, WORKERS_CHANGED)];
      await waitFor(() => live.every((subscription) => subscription.values.length === 1), { what: 'two watches' });
      const third = watch(client, WORKERS_CHANGED);
      await within(third.ended, 5_000, 'the refusal');
      expect(third.error).toEqual([
        {
          message: 'Too many workersChanged subscriptions for this client: at most 2 at once; complete one first',
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 2 },
        },
      ]);
      // taskUpdated has its own count.
      const updates = watch(client, TASK_UPDATED);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(updates.error).toBeNull();
      expect(live.every((subscription) => subscription.error === null)).toBe(true);
    } finally {
      await client.dispose();
    }
  });
});
