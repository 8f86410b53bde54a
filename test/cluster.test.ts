import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, gqlData, watch, wsClient, type Watch } from './support/graphql.js';
import {
  CANCEL_TASK,
  CREATE_CALCULATION,
  CREATE_SLEEP,
  GET_TASK,
  LIST_TASKS,
  TASK_PROGRESS,
  WORKERS,
  type TaskData,
} from './support/operations.js';
import { createTaskStore } from '../core/task-store.js';
import { startRedisCluster, type ClusterMaster, type RedisCluster } from '../testbed/redis-cluster.js';
import { replicasInStep } from '../testbed/redis-nodes.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

const PARTITIONS = 12; // the default on a cluster: four a master here

interface TaskList {
  tasks: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: TaskData[] };
}

/** The master that serves a key's slot. */
function masterOf(masters: ClusterMaster[], key: string): number {
  const slot = calculateSlot(key);
  return masters.find(({ slots }) => slots.some(([from, to]) => slot >= from && slot <= to))!.port;
}

/** Every node's answer to one command, on a connection of its own. */
async function askEveryNode(cluster: RedisCluster, ...command: string[]): Promise<unknown[]> {
  return Promise.all(
    cluster.nodes.map(async (node) => {
      const redis = new Redis(`redis://${node}`, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        return await redis.call(command[0]!, ...command.slice(1));
      } catch {
        return null; // a node the test killed
      } finally {
        redis.disconnect();
      }
    }),
  );
}

describe('the service on a Redis Cluster of 3 masters and 3 replicas', () => {
  let cluster: RedisCluster;
  let stack: TestStack;
  let creator: TestApi;
  let watcher: TestApi;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    stack = await createTestStack({
      partitions: PARTITIONS,
      redisVariables: { REDIS_CLUSTER_NODES: cluster.nodes.join(',') },
    });
    [creator, watcher] = await Promise.all([stack.startApi(), stack.startApi()]);
    await stack.startWorker();
  }, 60_000);

  afterAll(async () => {
    try {
      await stack?.close();
    } finally {
      await cluster?.stop(); // its servers go whatever the service's close ran into
    }
  });

  const createSleep = async (api: TestApi, duration: number) =>
    (await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, { input: { duration } })).createSleepTask;

  it('should spread tasks over every master, run them with correct results, and list them across partitions', async () => {
    const created: TaskData[] = [];
    for (let i = 0; i < 2 * PARTITIONS; i++) {
      const { createCalculationTask } = await gqlData<{ createCalculationTask: TaskData }>(
        creator.url,
        CREATE_CALCULATION,
        { input: { numbers: [i, 2], operation: 'PRODUCT' } },
      );
      created.push(createCalculationTask);
    }
    const masters = await cluster.masters();
    const tasksByMaster = new Map<number, number>();
    for (const { id } of created) {
      const master = masterOf(masters, stack.partitions.ofTask(id)!.keys.task(id));
      tasksByMaster.set(master, (tasksByMaster.get(master) ?? 0) + 1);
    }
    expect([...tasksByMaster.values()]).toEqual([8, 8, 8]); // four partitions a master, two tasks each

    await waitFor(
      async () =>
        (await gqlData<TaskList>(watcher.url, LIST_TASKS, { first: 100, state: 'COMPLETED' })).tasks.totalCount ===
        created.length,
      { what: 'every task completed', timeoutMs: 20_000 },
    );
    for (const [i, { id }] of created.entries()) {
      const { task } = await gqlData<{ task: TaskData }>(watcher.url, GET_TASK, { id });
      expect(task.result).toMatchObject({ value: String(i * 2), count: 2 });
    }

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { tasks }: TaskList = await gqlData<TaskList>(watcher.url, LIST_TASKS, {
        first: 5,
        after,
        name: 'calculation_task',
      });
      expect(tasks.totalCount).toBe(created.length);
      seen.push(...tasks.nodes.map((node) => node.id));
      if (!tasks.pageInfo.hasNextPage) break;
      after = tasks.pageInfo.endCursor;
    }
    expect(seen).toEqual(created.map(({ id }) => id).reverse());

    const { workers } = await gqlData<{ workers: { name: string }[] }>(watcher.url, WORKERS);
    expect(workers).toHaveLength(1);
  }, 60_000);

  it('should run a schedule and list and delete it through another API', async () => {
    const { createCalculationTaskSchedule: schedule } = await gqlData<{
      createCalculationTaskSchedule: { id: string };
    }>(
      creator.url,
      `mutation { createCalculationTaskSchedule(input: { numbers: [2, 3], operation: SUM }, schedule: { everySeconds: 1 }) { id } }`,
    );
    const runs = await waitFor(
      async () => {
        const { tasks } = await gqlData<{ tasks: { nodes: { id: string; scheduleId: string | null }[] } }>(
          watcher.url,
          `{ tasks(first: 100, name: "calculation_task") { nodes { id scheduleId } } }`,
        );
        const found = tasks.nodes.filter((task) => task.scheduleId === schedule.id);
        return found.length >= 2 && found;
      },
      { what: 'two runs', timeoutMs: 20_000 },
    );
    expect(new Set(runs.map((run) => run.id)).size).toBe(runs.length);
    const { taskSchedules } = await gqlData<{ taskSchedules: { id: string; nextRunAt: string | null }[] }>(
      watcher.url,
      '{ taskSchedules { id nextRunAt } }',
    );
    expect(taskSchedules).toEqual([{ id: schedule.id, nextRunAt: expect.any(String) }]);
    expect(
      await gqlData(watcher.url, 'mutation ($id: ID!) { deleteTaskSchedule(id: $id) }', { id: schedule.id }),
    ).toEqual({ deleteTaskSchedule: true });
  }, 30_000);

  it("should carry a task's changes to a watcher on another API over sharded channels only", async () => {
    const client = wsClient(watcher.url);
    try {
      const task = await createSleep(creator, 2);
      const progress = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id: task.id });
      await waitFor(() => progress.values.length > 0, { what: 'the snapshot' });

      const channel = stack.partitions.ofTask(task.id)!.keys.taskChannel(task.id);
      const owner = masterOf(await cluster.masters(), channel);
      const shardChannels = await askEveryNode(cluster, 'PUBSUB', 'SHARDCHANNELS', '*');
      const classicChannels = await askEveryNode(cluster, 'PUBSUB', 'CHANNELS', '*');
      // Subscribed on the master of the task's slot, and no classic channel names a task anywhere.
      expect(shardChannels[cluster.nodes.indexOf(`127.0.0.1:${owner}`)]).toContain(channel);
      expect((classicChannels.flat() as string[]).filter((name) => name?.includes(':events:'))).toEqual([]);

      await within(progress.ended, 15_000, 'the terminal state');
      const steps = progress.values.map(({ taskProgress }) => `${taskProgress.state}:${taskProgress.current}`);
      expect(steps.at(-1)).toBe('COMPLETED:2');
      expect(steps).toContain('ACTIVE:1');
    } finally {
      await client.dispose();
    }
  }, 30_000);

  it('should read a watched task again when its sharded subscriber comes back, so a change sent meanwhile is not lost', async () => {
    // A task with a record and no job: nothing but this test changes it.
    const store = createTaskStore(stack.redis, stack.partitions);
    const { id, partition } = stack.partitions.newTask();
    await store.create({ id, name: 'sleep_task', total: 5, input: { duration: 5 }, ttlMs: 60_000, owner: null });
    const client = wsClient(watcher.url);
    try {
      const progress = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id });
      await waitFor(() => progress.values.length > 0, { what: 'the snapshot' });

      // Cut the watching API's subscriber on the master of the task's slot, then change the task
      // while it is away: only reading the task again after it is back can tell the watcher.
      const owner = masterOf(await cluster.masters(), partition.keys.taskChannel(id));
      const master = new Redis(`redis://127.0.0.1:${owner}`);
      try {
        const clients = String(await master.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
        const subscriber = clients
          .split('\n')
          .find((line) => line.includes(`name=ioredis-cluster(ssubscriber):${watcher.subscriberName}`));
        expect(subscriber, clients).toBeDefined();
        await master.call('CLIENT', 'KILL', 'ID', /\bid=(\d+)/.exec(subscriber!)![1]!);
      } finally {
        master.disconnect();
      }
      await store.cancel({ id, name: 'sleep_task', owner: null });

      await within(progress.ended, 15_000, 'the terminal state, read again');
      expect(progress.values.map(({ taskProgress }) => taskProgress.state)).toEqual(['QUEUED', 'CANCELLED']);
    } finally {
      await client.dispose();
    }
  }, 30_000);

  it('should cancel a running task through another API, forget expired tasks and limit creates per client', async () => {
    const limited = await stack.startApi({ tasks: { resultTtlMs: 1_000 }, limits: { rateLimitCreates: 3 } });
    const running = await createSleep(limited, 30);
    await waitFor(
      async () =>
        (await gqlData<{ task: TaskData }>(watcher.url, GET_TASK, { id: running.id })).task.state === 'ACTIVE',
      { what: 'the task running' },
    );
    await gqlData(watcher.url, CANCEL_TASK, { id: running.id });
    await waitFor(
      async () =>
        (await gqlData<{ task: TaskData | null }>(watcher.url, GET_TASK, { id: running.id })).task?.state ===
        'CANCELLED',
      { what: 'the worker stopping it', timeoutMs: 3_000 },
    );

    const created = [];
    for (let i = 0; i < 2; i++) created.push(await createSleep(limited, 1));
    const { errors } = await gql(limited.url, CREATE_SLEEP, { input: { duration: 1 } });
    expect(errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

    // Kept one second once finished, then forgotten from every partition they were created in.
    for (const { id } of [running, ...created]) {
      const record = stack.partitions.ofTask(id)!.keys.task(id);
      await waitFor(async () => (await stack.redis.exists(record)) === 0, {
        what: `task ${id} forgotten`,
        timeoutMs: 15_000,
      });
    }
    await limited.close();
  }, 40_000);

  it('should finish every running task when a master dies, fail mutations fast meanwhile, and carry watchers to the end', async () => {
    const tasks = await Promise.all(Array.from({ length: PARTITIONS }, () => createSleep(creator, 6)));
    const client = wsClient(watcher.url);
    try {
      const watches: Watch<{ taskProgress: TaskData }>[] = tasks.map(({ id }) => watch(client, TASK_PROGRESS, { id }));
      await waitFor(() => watches.every((w) => (w.values.at(-1)?.taskProgress.current ?? 0) >= 1), {
        what: 'every task one step in',
        timeoutMs: 30_000,
      });

      // Redis replicates asynchronously: what a replica has not received, a failover loses.
      const [first] = await cluster.masters();
      await replicasInStep(first!.port);
      const killed = await cluster.killMaster(first!.port);
      // While the dead master's slots have no master, a create there answers at once that Redis is
      // away, and /readyz says the service cannot serve every partition.
      const answers: { code: unknown; ms: number; message?: string }[] = [];
      let notReady = false;
      const failover = cluster.waitForFailover(killed, 20_000);
      let done = false;
      void failover.finally(() => (done = true));
      while (!done && answers.length < 40) {
        const started = Date.now();
        const { errors } = await gql(creator.url, CREATE_CALCULATION, { input: { numbers: [1], operation: 'SUM' } });
        answers.push({
          code: errors?.[0]?.extensions?.code ?? 'OK',
          ms: Date.now() - started,
          message: errors?.[0]?.message,
        });
        if ((await fetch(`${creator.url}/readyz`)).status === 503) notReady = true;
      }
      await failover;
      expect(
        answers.map(({ code }) => code),
        JSON.stringify(answers),
      ).toContain('SERVICE_UNAVAILABLE');
      expect(answers.filter(({ code }) => code !== 'OK' && code !== 'SERVICE_UNAVAILABLE')).toEqual([]); // every failure says Redis is away
      // Every answer, with its time and message, names the slow one if one is.
      expect(Math.max(...answers.map(({ ms }) => ms)), JSON.stringify(answers)).toBeLessThan(3_000);
      expect(notReady).toBe(true);

      await waitFor(async () => (await fetch(`${creator.url}/readyz`)).status === 200, {
        what: 'ready again after the failover',
        timeoutMs: 15_000,
      });
      await waitFor(
        async () =>
          (await gql(creator.url, CREATE_CALCULATION, { input: { numbers: [1], operation: 'SUM' } })).errors ===
          undefined,
        { what: 'creates working again', timeoutMs: 10_000 },
      );

      // Every task ends COMPLETED (some taken up again by the worker), and each watcher sees it.
      await within(Promise.all(watches.map((w) => w.ended)), 45_000, 'every watcher ended');
      const ends = watches.map((w) => w.values.at(-1)?.taskProgress);
      expect(ends.map((end) => (end?.state === 'COMPLETED' ? end.state : `${end?.state}: ${end?.error}`))).toEqual(
        tasks.map(() => 'COMPLETED'),
      );
      for (const { id } of tasks) {
        const { task } = await gqlData<{ task: TaskData }>(creator.url, GET_TASK, { id });
        expect(task.state).toBe('COMPLETED');
      }
      for (const w of watches) {
        const seqs = w.values.map(({ taskProgress }) => taskProgress.current);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // never a step back
      }
    } finally {
      await client.dispose();
    }
  }, 120_000);
});
