import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { enqueueTask } from '../core/enqueue-task.js';
import { defineTask } from '../core/task-definition.js';
import { taskKinds } from '../core/task-kinds/index.js';
import { createTaskQueue } from '../core/task-queue.js';
import { parseTaskHash, type TaskRecord } from '../core/task-record.js';
import { createTaskStore } from '../core/task-store.js';
import { gql, gqlData, watch, wsClient } from './support/graphql.js';
import { CREATE_SLEEP, GET_TASK, TASK_PROGRESS, type TaskData } from './support/operations.js';
import { startEntryPoint, type RunningProcess } from './support/processes.js';
import { startRedisServer, type RedisServer } from '../testbed/redis-server.js';
import { createTestStack, quickStall, REDIS_URL, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

const quickStallEnv = { WORKER_LOCK_DURATION: '2', WORKER_STALLED_INTERVAL: '1' };

describe('faults', () => {
  let stack: TestStack | undefined;
  let own: RedisServer | undefined;
  const processes: RunningProcess[] = [];
  const clients: Client[] = [];

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((running) => running.close()));
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await stack?.close();
    await own?.close();
    stack = own = undefined;
  });

  const createSleep = async (url: string, duration: number) =>
    (await gqlData<{ createSleepTask: TaskData }>(url, CREATE_SLEEP, { input: { duration } })).createSleepTask;
  const getTask = async (url: string, id: string) => (await gqlData<{ task: TaskData }>(url, GET_TASK, { id })).task;
  const client = (url: string) => {
    const created = wsClient(url);
    clients.push(created);
    return created;
  };

  it('should finish on another worker a task whose worker was killed mid-run, counting the attempt', async () => {
    stack = await createTestStack();
    const api = await stack.startApi();
    const env = { REDIS_URL, REDIS_KEY_PREFIX: stack.keys.prefix, WORKER_NAME: 'doomed', ...quickStallEnv };
    const doomed = startEntryPoint('worker/main.ts', env);
    processes.push(doomed);
    const task = await createSleep(api.url, 4);
    const progress = watch<{ taskProgress: TaskData }>(client(api.url), TASK_PROGRESS, { id: task.id });
    await waitFor(
      () => progress.values.some(({ taskProgress }) => taskProgress.worker === 'doomed' && taskProgress.current >= 1),
      {
        what: 'a step on the doomed worker',
        timeoutMs: 15_000,
      },
    );

    doomed.kill('SIGKILL');
    await stack.startWorker({ name: 'survivor', stalled: quickStall });
    await within(progress.ended, 20_000, 'completion on the other worker');

    const events = progress.values.map(({ taskProgress }) => taskProgress);
    expect(events.at(-1)).toMatchObject({
      state: 'COMPLETED',
      worker: 'survivor',
      attempts: 2,
      current: 4,
      error: null,
    });
    // The subscriber saw it go on: the second run started from 0 and stepped to the end, in order.
    const versions = events.map((event) => event.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    const secondRun = events.filter((event) => event.attempts === 2).map((event) => [event.state, event.current]);
    expect(secondRun).toEqual([
      ['ACTIVE', 0],
      ['ACTIVE', 1],
      ['ACTIVE', 2],
      ['ACTIVE', 3],
      ['ACTIVE', 4],
      ['COMPLETED', 4],
    ]);
  });

  it('should mark FAILED a task that lost its worker more often than allowed, never leaving it ACTIVE', async () => {
    stack = await createTestStack();
    const api = await stack.startApi();
    const env = { REDIS_URL, REDIS_KEY_PREFIX: stack.keys.prefix, WORKER_NAME: 'doomed', ...quickStallEnv };
    const doomed = startEntryPoint('worker/main.ts', env);
    processes.push(doomed);
    const task = await createSleep(api.url, 30);
    await waitFor(async () => (await getTask(api.url, task.id)).current >= 1, { what: 'a step', timeoutMs: 15_000 });

    doomed.kill('SIGKILL');
    // This worker allows no lost run: BullMQ fails the job without running it, and the record follows.
    await stack.startWorker({ name: 'strict', stalled: { ...quickStall, maxCount: 0 } });
    const failed = await waitFor(
      async () => {
        const current = await getTask(api.url, task.id);
        return current.state === 'FAILED' && current;
      },
      { what: 'FAILED', timeoutMs: 15_000 },
    );
    expect(failed).toMatchObject({ worker: 'doomed', attempts: 1 });
    expect(failed.error).toContain('stalled');
  });

  it('should complete a task whose lock ran out while it ran, taken up again by the worker still running it', async () => {
    stack = await createTestStack();
    const api = await stack.startApi();
    await stack.startWorker({ name: 'only', stalled: { ...quickStall, maxCount: 3 } });
    const task = await createSleep(api.url, 5);
    const progress = watch<{ taskProgress: TaskData }>(client(api.url), TASK_PROGRESS, { id: task.id });
    await waitFor(() => progress.values.some(({ taskProgress }) => taskProgress.current >= 1), {
      what: 'a step',
      timeoutMs: 15_000,
    });

    // What a failover longer than the lock does: the lock is gone, the worker cannot renew it, and the
    // stall check gives the job to the next worker to fetch, here the one still running it.
    await stack.redis.del(`${stack.keys.prefix}:tasks:${task.id}:lock`);
    await within(progress.ended, 30_000, 'the end of the newer run');
    expect(progress.values.at(-1)?.taskProgress).toMatchObject({ state: 'COMPLETED', worker: 'only', current: 5 });
    const versions = progress.values.map(({ taskProgress }) => taskProgress.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    // The newer run holds its lock to the end: the job is not stalled again, nor run a third time.
    // (BullMQ completes the job just after the run has recorded its end.)
    const counts = await waitFor(
      async () => {
        const now = await stack!.jobCounts();
        return now.active === 0 && now;
      },
      { what: 'the job out of active', timeoutMs: 10_000 },
    );
    expect(counts).toMatchObject({ active: 0, wait: 0, completed: 1 });
  });

  // Instant kinds record each run's start and end with one script: the events must be the same.
  it.each([
    ['a kind with steps', false],
    ['an instant kind', true],
  ])('should retry a failing attempt as %s declares, and mark FAILED only after the last', async (_, instant) => {
    stack = await createTestStack();
    const runs = new Map<string, number>();
    // A kind of the test's own whose runs fail `failures` times before they succeed.
    const flakyKind = defineTask({
      name: 'flaky_task',
      description: 'Fails its first runs.',
      input: z.object({ key: z.string(), failures: z.int() }),
      result: z.object({ runs: z.int() }),
      steps: () => 1,
      retry: { attempts: 3, backoffMs: 50 },
      instant,
      async run({ key, failures }) {
        const run = (runs.get(key) ?? 0) + 1;
        runs.set(key, run);
        if (run <= failures) throw new Error(`run ${run} failed`);
        return { runs: run };
      },
    });
    await stack.startWorker({ kinds: [...taskKinds, flakyKind] });
    const store = createTaskStore(stack.redis, stack.partitions);
    const queue = createTaskQueue(stack.redis, stack.keys.prefix);
    const subscriber = new Redis(REDIS_URL);
    try {
      const events = new Map<string, TaskRecord[]>();
      subscriber.on('message', (_channel: string, message: string) => {
        const record = parseTaskHash(JSON.parse(message) as Record<string, string>);
        events.set(record.id, [...(events.get(record.id) ?? []), record]);
      });
      await subscriber.subscribe(stack.keys.allTasksChannel);

      const recovers = await enqueueTask(
        { store, partitions: stack.partitions, queues: [queue] },
        flakyKind,
        { key: randomUUID(), failures: 2 },
        { ttlMs: 3_600_000, owner: null },
      );
      const fails = await enqueueTask(
        { store, partitions: stack.partitions, queues: [queue] },
        flakyKind,
        { key: randomUUID(), failures: 5 },
        { ttlMs: 3_600_000, owner: null },
      );
      const finished = async (id: string) => {
        const record = await store.get(id);
        return record && ['COMPLETED', 'FAILED'].includes(record.state) && record;
      };
      expect(await waitFor(() => finished(recovers.id), { what: 'the recovering task' })).toMatchObject({
        state: 'COMPLETED',
        attempts: 3,
        error: null,
        result: { runs: 3 },
      });
      expect(await waitFor(() => finished(fails.id), { what: 'the failing task' })).toMatchObject({
        state: 'FAILED',
        attempts: 3,
        error: 'run 3 failed',
      });
      await waitFor(() => events.get(fails.id)?.at(-1)?.state === 'FAILED', { what: 'the FAILED event' });
      expect(events.get(fails.id)!.map((event) => [event.state, event.attempts, event.error])).toEqual([
        ['QUEUED', 0, null],
        ['ACTIVE', 1, null],
        ['QUEUED', 1, 'run 1 failed'],
        ['ACTIVE', 2, 'run 1 failed'],
        ['QUEUED', 2, 'run 2 failed'],
        ['ACTIVE', 3, 'run 2 failed'],
        ['FAILED', 3, 'run 3 failed'],
      ]);
    } finally {
      await queue.close();
      await subscriber.quit();
    }
  });

  it('should keep every task through a Redis restart, fail mutations clearly meanwhile, and resync subscribers', async () => {
    own = await startRedisServer({ fsyncAlways: true });
    stack = await createTestStack({ redisUrl: own.url });
    const api = await stack.startApi();
    await stack.startWorker({ concurrency: 1, stalled: quickStall });
    const running = await createSleep(api.url, 4);
    const queued = await createSleep(api.url, 1);
    const progress = watch<{ taskProgress: TaskData }>(client(api.url), TASK_PROGRESS, { id: running.id });
    await waitFor(() => progress.values.some(({ taskProgress }) => taskProgress.current >= 1), { what: 'a step' });

    await own.stop();
    await waitFor(async () => (await fetch(`${api.url}/readyz`)).status === 503, { what: '/readyz 503' });
    const asked = Date.now();
    const { data, errors } = await gql(api.url, CREATE_SLEEP, { input: { duration: 1 } });
    expect(Date.now() - asked).toBeLessThan(5_000); // an answer, not a hang
    expect(data ?? null).toBeNull();
    expect(errors![0]).toMatchObject({
      message: 'The task store (Redis) is not available right now; try again shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);

    await own.start();
    await waitFor(async () => (await fetch(`${api.url}/readyz`)).status === 200, { what: '/readyz 200' });
    await within(progress.ended, 25_000, 'the terminal state after the restart');
    expect(progress.values.at(-1)!.taskProgress).toMatchObject({ state: 'COMPLETED', current: 4 });
    await waitFor(async () => (await getTask(api.url, queued.id)).state === 'COMPLETED', {
      what: 'the queued task',
      timeoutMs: 20_000,
    });
    const listed = await gqlData<{ tasks: { totalCount: number } }>(api.url, '{ tasks { totalCount } }');
    expect(listed.tasks.totalCount).toBe(2);
  });

  it('should let a worker stop on SIGTERM while Redis is away, leaving its task to be taken up again', async () => {
    own = await startRedisServer({ fsyncAlways: true });
    stack = await createTestStack({ redisUrl: own.url });
    const api = await stack.startApi();
    const env = { REDIS_URL: own.url, REDIS_KEY_PREFIX: stack.keys.prefix, SHUTDOWN_TIMEOUT: '1', ...quickStallEnv };
    const worker = startEntryPoint('worker/main.ts', env);
    processes.push(worker);
    const task = await createSleep(api.url, 3);
    await waitFor(async () => (await getTask(api.url, task.id)).state === 'ACTIVE', {
      what: 'the start',
      timeoutMs: 15_000,
    });

    await own.stop();
    worker.child.kill('SIGTERM');
    const exit = await within(worker.exited, 20_000, 'the exit without Redis').catch((error: Error) => {
      throw new Error(`${error.message}; the worker printed last: ${worker.output().slice(-3_000)}`, { cause: error });
    });
    expect(exit, worker.output().slice(-3_000)).toBe(0);

    await own.start();
    await stack.startWorker({ name: 'next', stalled: quickStall });
    const done = await waitFor(
      async () => {
        const current = await getTask(api.url, task.id).catch(() => null);
        return current?.state === 'COMPLETED' && current;
      },
      { what: 'completion by the next worker', timeoutMs: 20_000 },
    );
    expect(done).toMatchObject({ worker: 'next', current: 3 });
  });

  it('should bring a watching client, through its retries, to another API instance and the terminal state', async () => {
    stack = await createTestStack();
    await stack.startWorker();
    const env = { REDIS_URL, REDIS_KEY_PREFIX: stack.keys.prefix, HOST: '127.0.0.1' };
    const [portA, portB] = [
      await (await import('./support/processes.js')).freePort(),
      await (await import('./support/processes.js')).freePort(),
    ];
    const a = startEntryPoint('src/main.ts', { ...env, PORT: String(portA) });
    const b = startEntryPoint('src/main.ts', { ...env, PORT: String(portB) });
    processes.push(a, b);
    const urls = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
    for (const url of urls)
      await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.ok, { what: url });

    // A load balancer in miniature: every (re)connection goes to the next instance.
    let next = 0;
    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const retrying = createClient({
      url: () => `${urls[next++ % 2]!.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 20,
      shouldRetry: () => true,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
    });
    clients.push(retrying);
    const task = await createSleep(urls[1]!, 3);
    const progress = watch<{ taskProgress: TaskData }>(retrying, TASK_PROGRESS, { id: task.id });
    await waitFor(() => progress.values.length > 0, { what: 'the snapshot from instance A' });

    a.kill('SIGKILL');
    await within(progress.ended, 15_000, 'the terminal state through instance B');
    expect(progress.error).toBeNull();
    const events = progress.values.map(({ taskProgress }) => taskProgress);
    expect(events.at(-1)).toMatchObject({ state: 'COMPLETED', current: 3 });
    const versions = events.map((event) => event.version);
    expect(versions).toEqual([...versions].sort((x, y) => x - y)); // resent snapshots never go back
  });
});
