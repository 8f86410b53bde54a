import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, gqlData, watch, wsClient, type Watch } from './support/graphql.js';
import { CREATE_CALCULATION, CREATE_SLEEP, TASK_PROGRESS, type TaskData } from './support/operations.js';
import { replicasInStep } from '../testbed/redis-nodes.js';
import { startRedisSentinel, type RedisSentinel } from '../testbed/redis-sentinel.js';
import { createTestStack, quickStall, type TestApi, type TestStack } from './support/stack.js';
import { outcome, outcomesOf, watchersEnded } from './support/task-ends.js';
import { waitFor } from '../testbed/wait.js';

describe('the service on Redis behind Sentinel', () => {
  let sentinel: RedisSentinel;
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    stack = await createTestStack({
      redisVariables: { REDIS_SENTINELS: sentinel.sentinels.join(','), REDIS_SENTINEL_NAME: sentinel.name },
    });
    api = await stack.startApi();
    await stack.startWorker({ stalled: quickStall });
  }, 60_000);

  afterAll(async () => {
    try {
      await stack?.close();
    } finally {
      await sentinel?.stop(); // its servers go whatever the service's close ran into
    }
  });

  const createSleep = async (duration: number) =>
    (await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, { input: { duration } })).createSleepTask;

  it.each([
    ['a failover Sentinel is asked for', () => sentinel.failover()],
    [
      'the master killed',
      async () => {
        const killed = await sentinel.killMaster();
        return { killed, failover: sentinel.waitForFailover(killed, 30_000) };
      },
    ],
  ])(
    'should finish all of 24 running tasks through %s, and carry their watchers to the end',
    async (_what, switchMaster) => {
      const before = await sentinel.masterPort();
      // Ends spread over the failover: some runs end while there is no master.
      const tasks = await Promise.all(Array.from({ length: 24 }, (_, i) => createSleep(3 + (i % 5))));
      const client = wsClient(api.url);
      try {
        const watches: Watch<{ taskProgress: TaskData }>[] = tasks
          .slice(0, 6)
          .map(({ id }) => watch(client, TASK_PROGRESS, { id }));
        await waitFor(() => watches.every((w) => (w.values.at(-1)?.taskProgress.current ?? 0) >= 1), {
          what: 'every task one step in',
          timeoutMs: 30_000,
        });

        // Redis replicates asynchronously: what its replica has not received, a failover loses. The
        // tasks are on the replica before the switch (the one just before may have left it resyncing).
        await replicasInStep(before, 30_000);
        const switched = await switchMaster();
        const failover = typeof switched === 'number' ? Promise.resolve(switched) : switched.failover;
        // Mutations while there is no master answer at once, then work again on the new one.
        let done = false;
        void failover.finally(() => (done = true));
        const answers: { code: unknown; ms: number }[] = [];
        while (!done && answers.length < 40) {
          const started = Date.now();
          const { errors } = await gql(api.url, CREATE_CALCULATION, { input: { numbers: [1], operation: 'SUM' } });
          answers.push({ code: errors?.[0]?.extensions?.code ?? 'OK', ms: Date.now() - started });
        }
        const after = await failover;
        expect(after).not.toBe(before);
        expect(answers.filter(({ code }) => code !== 'OK' && code !== 'SERVICE_UNAVAILABLE')).toEqual([]);
        expect(Math.max(0, ...answers.map(({ ms }) => ms))).toBeLessThan(3_000);
        await waitFor(
          async () =>
            (await gql(api.url, CREATE_CALCULATION, { input: { numbers: [1], operation: 'SUM' } })).errors ===
            undefined,
          { what: 'creates working on the new master', timeoutMs: 15_000 },
        );
        await waitFor(async () => (await fetch(`${api.url}/readyz`)).status === 200, { what: 'ready again' });

        await watchersEnded(api.url, watches, 45_000, 'every watcher ended');
        expect(watches.map((w) => outcome(w.values.at(-1)?.taskProgress))).toEqual(watches.map(() => 'COMPLETED'));
        expect(
          await outcomesOf(
            api.url,
            tasks.map(({ id }) => id),
          ),
        ).toEqual(tasks.map(() => 'COMPLETED'));
      } finally {
        await client.dispose();
      }
    },
    120_000,
  );
});
