import { randomUUID } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { againOnNoScript } from '../core/failover-errors.js';
import { closeRedis, createRedis } from '../core/redis.js';
import { defineScripts } from '../core/redis-scripts.js';
import { createTaskQueue } from '../core/task-queue.js';
import { retryingDuringFailover } from '../worker/failover-retry.js';
import { parseWorkerConfig } from '../worker/config.js';
import { gqlData, watch, wsClient, type Watch } from './support/graphql.js';
import { CREATE_SLEEP, TASK_PROGRESS, type TaskData } from './support/operations.js';
import { startRedisCluster, type RedisCluster } from '../testbed/redis-cluster.js';
import { replicasInStep } from '../testbed/redis-nodes.js';
import { createTestStack, logger, quickStall, type TestApi, type TestStack } from './support/stack.js';
import { outcome, outcomesOf, watchersEnded } from './support/task-ends.js';
import { waitFor } from '../testbed/wait.js';

const PARTITIONS = 12; // the default on a cluster: four a master here
const TASKS = 24;
const WATCHED = 6;
const ROUNDS = 3;

describe('failovers of a Redis Cluster under running tasks', () => {
  let cluster: RedisCluster;
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    stack = await createTestStack({
      partitions: PARTITIONS,
      redisVariables: { REDIS_CLUSTER_NODES: cluster.nodes.join(',') },
    });
    api = await stack.startApi();
    await stack.startWorker({ stalled: quickStall });
  }, 60_000);

  afterAll(async () => {
    try {
      await stack?.close();
    } finally {
      await cluster?.stop();
    }
  });

  it(`should complete all of ${TASKS} running tasks and end every watcher, through ${ROUNDS} master kills in a row`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const tasks = await Promise.all(
        Array.from(
          { length: TASKS },
          // Ends spread over the failover: some runs end while the cluster is down, as their first
          // use of the end's script on a master.
          async (_, i) =>
            (await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, { input: { duration: 3 + (i % 5) } }))
              .createSleepTask,
        ),
      );
      const client = wsClient(api.url);
      let killed: number;
      try {
        const watches: Watch<{ taskProgress: TaskData }>[] = tasks
          .slice(0, WATCHED)
          .map(({ id }) => watch(client, TASK_PROGRESS, { id }));
        await waitFor(() => watches.every((w) => (w.values.at(-1)?.taskProgress.current ?? 0) >= 1), {
          what: `round ${round}: every watched task one step in`,
          timeoutMs: 30_000,
        });

        // Kill the master of the first slots, once its replica has every write (what a replica has not
        // received, a failover loses: RELIABILITY.md).
        const [first] = await cluster.masters();
        await replicasInStep(first!.port);
        killed = await cluster.killMaster(first!.port);
        await cluster.waitForFailover(killed, 20_000);

        await watchersEnded(api.url, watches, 60_000, `round ${round}: every watcher ended`);
        expect(watches.map((w) => outcome(w.values.at(-1)?.taskProgress))).toEqual(watches.map(() => 'COMPLETED'));
        expect(
          await outcomesOf(
            api.url,
            tasks.map(({ id }) => id),
            60_000,
          ),
        ).toEqual(tasks.map(() => 'COMPLETED'));
      } finally {
        await client.dispose();
      }
      // The killed master comes back as a replica of its successor: the next round kills another.
      await cluster.restartNode(killed);
    }
  }, 300_000);
});

describe('script calls while a Redis Cluster is down', () => {
  let cluster: RedisCluster;

  beforeAll(async () => {
    cluster = await startRedisCluster({ replicasPerMaster: 0 });
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it("should run every call of the service's scripts, and BullMQ's add, sent while the cluster was down, once it is back", async () => {
    // Auto-pipelined, as the API's and the worker's command connections are; the worker's retries.
    const { redis: config } = parseWorkerConfig({ REDIS_CLUSTER_NODES: cluster.nodes.join(',') });
    const redis = createRedis(config, logger, { blocking: true, autoPipelining: true, name: 'test-scripts' });
    const scripts = retryingDuringFailover(defineScripts(redis), logger);
    try {
      const [stopped, ...others] = await cluster.masters();
      const onOthers = (key: string) => {
        const slot = calculateSlot(key);
        return others.some(({ slots }) => slots.some(([from, to]) => slot >= from && slot <= to));
      };
      // Buckets and queues on the masters that stay up: their calls are refused only because the
      // cluster is down, and none of these scripts has run on them before.
      const prefix = randomUUID();
      const tags = Array.from({ length: 60 }, (_, i) => `{${prefix}-${i}}`)
        .filter(onOthers)
        .slice(0, 10);
      const queues = tags.map((tag) => createTaskQueue(redis, tag));
      await Promise.all(queues.map((queue) => queue.waitUntilReady()));

      await cluster.killMaster(stopped!.port);
      await waitFor(
        async () => {
          const error = await redis.set(`${tags[0]}:probe`, '1').then(
            () => null,
            (failure: Error) => failure,
          );
          return error?.message.includes('CLUSTERDOWN') ?? false;
        },
        { what: 'the cluster to be down', timeoutMs: 20_000, everyMs: 200 },
      );
      const calls = [
        ...tags.map((tag) => scripts.rateLimitTake([`${tag}:bucket`], [10, 60_000, 1])),
        ...queues.map((queue) => againOnNoScript(() => queue.add('sleep_task', { duration: 1 }, { jobId: 'job' }))),
      ].map((call) =>
        call.then(
          () => 'ran',
          (error: Error) => error.message,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 600)); // each sent, and refused, at least once
      await cluster.restartNode(stopped!.port);
      expect(await Promise.all(calls)).toEqual(calls.map(() => 'ran'));
      await Promise.all(queues.map((queue) => queue.obliterate({ force: true })));
      await Promise.all(queues.map((queue) => queue.close()));
      await Promise.all(tags.map((tag) => redis.del(`${tag}:bucket`, `${tag}:probe`)));
    } finally {
      await closeRedis(redis);
    }
  }, 60_000);
});
