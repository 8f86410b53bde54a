import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gqlData } from './support/graphql.js';
import { CREATE_SLEEP, GET_TASK, WORKERS, type TaskData } from './support/operations.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

interface WorkerData {
  id: string;
  name: string;
  concurrency: number;
  startedAt: string;
  uptime: number;
  taskNames: string[];
  activeTasks: number;
}

describe('workers', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  it('should list live workers with their kinds and running tasks, and drop stopped ones', async () => {
    const api = await stack.startApi();
    expect(await gqlData(api.url, WORKERS)).toEqual({ workers: [] });
    const first = await stack.startWorker({ concurrency: 7, name: 'worker-a' });
    await stack.startWorker({ concurrency: 3, name: 'worker-b' });

    const { workers } = await gqlData<{ workers: WorkerData[] }>(api.url, WORKERS);
    expect(workers).toEqual([
      expect.objectContaining({
        name: 'worker-a',
        concurrency: 7,
        taskNames: ['calculation_task', 'prime_count_task', 'sleep_task'],
        activeTasks: 0,
      }),
      expect.objectContaining({ name: 'worker-b', concurrency: 3, activeTasks: 0 }),
    ]);
    // The id is the name, the registry's key: what a normalised cache (the dashboard's) keys a worker by.
    expect(workers.map((worker) => worker.id)).toEqual(['worker-a', 'worker-b']);
    expect(workers[0]!.uptime).toBeGreaterThanOrEqual(0);
    expect(Date.now() - new Date(workers[0]!.startedAt).getTime()).toBeLessThan(10_000);

    const tasks = await Promise.all(
      [1, 2, 3, 4].map(
        async () =>
          (await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, { input: { duration: 3 } }))
            .createSleepTask,
      ),
    );
    await waitFor(
      async () => {
        const { workers: now } = await gqlData<{ workers: WorkerData[] }>(api.url, WORKERS);
        return now.reduce((sum, worker) => sum + worker.activeTasks, 0) === 4;
      },
      { what: 'four active tasks across the workers' },
    );
    const ran = await Promise.all(
      tasks.map(async (task) => (await gqlData(api.url, GET_TASK, { id: task.id })).task.worker),
    );
    expect(ran.every((name) => name === 'worker-a' || name === 'worker-b')).toBe(true);

    await first.close();
    const { workers: left } = await gqlData<{ workers: WorkerData[] }>(api.url, WORKERS);
    expect(left.map((worker) => worker.name)).toEqual(['worker-b']);
  });

  it('should hand a running task back to the queue when a worker stops, for another worker to finish', async () => {
    const api = await stack.startApi();
    const first = await stack.startWorker({ name: 'stopping' }); // hands back after 2 s
    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 6 },
    });
    await waitFor(async () => (await gqlData(api.url, GET_TASK, { id: task.id })).task.current >= 1, {
      what: 'a step',
    });
    await first.close();
    const handedBack = (await gqlData<{ task: TaskData }>(api.url, GET_TASK, { id: task.id })).task;
    expect(handedBack).toMatchObject({ state: 'QUEUED', attempts: 1, worker: 'stopping' });
    expect(handedBack.error).toBe('the worker stopped before the task finished');

    await stack.startWorker({ name: 'taking-over' });
    const done = await waitFor(
      async () => {
        const { task: now } = await gqlData<{ task: TaskData }>(api.url, GET_TASK, { id: task.id });
        return now.state === 'COMPLETED' && now;
      },
      { what: 'completion by the other worker', timeoutMs: 15_000 },
    );
    expect(done).toMatchObject({ worker: 'taking-over', attempts: 2, current: 6, result: { status: 'ok' } });
  });
});
