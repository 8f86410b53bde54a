import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseWorkerConfig } from '../worker/config.js';
import { defineTask, type AnyTaskDefinition } from '../core/task-definition.js';
import { taskKinds } from '../core/task-kinds/index.js';
import calculationTask from '../tasks/calculation.js';
import sleepTask from '../tasks/sleep.js';
import { gqlData, watch, wsClient } from './support/graphql.js';
import {
  CANCEL_TASK,
  CREATE_CALCULATION,
  CREATE_SLEEP,
  DELETE_TASK,
  GET_TASK,
  TASK_PROGRESS,
  TASK_UPDATED,
  type TaskData,
} from './support/operations.js';
import { freePort } from './support/processes.js';
import { parseExposition, type Exposition } from './support/prometheus.js';
import { startRedisServer, type RedisServer } from '../testbed/redis-server.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

/** Scrapes `/metrics` at `url` and parses it, failing on anything that is not Prometheus' text format. */
async function scrape(url: string): Promise<Exposition> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4(;|$)/);
  return parseExposition(await response.text());
}

/** Scrapes until `check` holds, then answers that scrape. */
function scrapeUntil(url: string, check: (metrics: Exposition) => boolean, what: string): Promise<Exposition> {
  return waitFor(
    async () => {
      const metrics = await scrape(url);
      return check(metrics) && metrics;
    },
    { what },
  );
}

/** The service's kinds, but for inputs the test picks to fail: a sleep of 3 s, a calculation on 666. */
function failingOn<Kind extends AnyTaskDefinition>(kind: Kind, fails: (input: unknown) => boolean): Kind {
  return defineTask({
    ...kind,
    run: (input, context) => (fails(input) ? Promise.reject(new Error('failed on purpose')) : kind.run(input, context)),
  }) as Kind;
}
/** The API counts every kind of tasks/, each from 0; the test's tasks are sleeps and calculations. */
const everyKind = (counts: Record<string, number>) => ({
  ...Object.fromEntries(taskKinds.map((kind) => [kind.name, 0])),
  ...counts,
});
const kinds = [
  failingOn(sleepTask, (input) => (input as { duration: number }).duration === 3),
  failingOn(calculationTask, (input) => (input as { numbers: number[] }).numbers.includes(666)),
];

describe('Prometheus metrics', () => {
  let stack: TestStack;
  let own: RedisServer | null = null;
  const clients: Client[] = [];

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await stack.close();
    await own?.close();
    own = null;
  });

  const client = (url: string) => {
    const created = wsClient(url);
    clients.push(created);
    return created;
  };
  const createSleep = async (url: string, duration: number) =>
    (await gqlData<{ createSleepTask: TaskData }>(url, CREATE_SLEEP, { input: { duration } })).createSleepTask.id;
  const createCalculation = async (url: string, numbers: number[]) =>
    (
      await gqlData<{ createCalculationTask: TaskData }>(url, CREATE_CALCULATION, {
        input: { numbers, operation: 'SUM' },
      })
    ).createCalculationTask.id;
  const stateOf = async (url: string, id: string) =>
    (await gqlData<{ task: TaskData | null }>(url, GET_TASK, { id })).task?.state;

  it('should count each change of a task once, by kind, in the process that made it, and read the backlog from Redis', async () => {
    const api = await stack.startApi();
    const completes = [
      await createSleep(api.url, 1),
      await createSleep(api.url, 1),
      await createCalculation(api.url, [1, 2]),
      await createCalculation(api.url, [3, 4]),
    ];
    const fails = [await createSleep(api.url, 3), await createCalculation(api.url, [666])];
    const cancelledWhileQueued = await createSleep(api.url, 1);
    const deletedWhileQueued = await createCalculation(api.url, [5]);
    const cancelledWhileRunning = await createSleep(api.url, 60);
    await gqlData(api.url, CANCEL_TASK, { id: cancelledWhileQueued });
    await gqlData(api.url, DELETE_TASK, { id: deletedWhileQueued });

    // No worker yet: everything left waits.
    let metrics = await scrape(api.url);
    expect(metrics.by('task_service_tasks_created_total', 'kind')).toEqual(
      everyKind({ sleep_task: 5, calculation_task: 4 }),
    );
    expect(metrics.by('task_service_tasks_cancelled_total', 'kind')).toEqual(
      everyKind({ sleep_task: 1, calculation_task: 1 }),
    );
    expect(metrics.by('task_service_backlog', 'kind')).toEqual(everyKind({ sleep_task: 4, calculation_task: 3 }));
    expect(metrics.by('task_service_running_tasks', 'kind')).toEqual(everyKind({ sleep_task: 0, calculation_task: 0 }));
    // Every job has a priority (none is the lowest), so BullMQ keeps them in its prioritized set.
    expect(metrics.by('task_service_queue_jobs', 'state')).toEqual({
      waiting: 0,
      delayed: 0,
      prioritized: 7,
      active: 0,
    });
    // Runs end in workers: the API counts none of them.
    expect(metrics.families.has('task_service_tasks_completed_total')).toBe(false);
    expect(metrics.families.has('task_service_tasks_failed_total')).toBe(false);

    const workerUrl = `http://127.0.0.1:${await freePort()}`;
    await stack.startWorker({ concurrency: 5, kinds, metricsPort: Number(new URL(workerUrl).port) });
    await waitFor(
      async () => {
        const states = await Promise.all(
          [...completes, ...fails, cancelledWhileRunning].map((id) => stateOf(api.url, id)),
        );
        return states.join() === 'COMPLETED,COMPLETED,COMPLETED,COMPLETED,FAILED,FAILED,ACTIVE';
      },
      { what: 'the runs' },
    );
    metrics = await scrapeUntil(
      api.url,
      (scraped) => scraped.value('task_service_queue_jobs', { state: 'active' }) === 1,
      'the long run alone active',
    );
    expect(metrics.by('task_service_backlog', 'kind')).toEqual(everyKind({ sleep_task: 0, calculation_task: 0 }));
    expect(metrics.by('task_service_running_tasks', 'kind')).toEqual(everyKind({ sleep_task: 1, calculation_task: 0 }));
    expect(metrics.value('task_service_queue_jobs', { state: 'waiting' })).toBe(0);
    const worker = await scrapeUntil(
      workerUrl,
      (scraped) => scraped.value('task_service_worker_running_tasks') === 1,
      'one task running in the worker',
    );
    expect(worker.value('task_service_worker_concurrency')).toBe(5);

    await gqlData(api.url, CANCEL_TASK, { id: cancelledWhileRunning });
    await waitFor(async () => (await stateOf(api.url, cancelledWhileRunning)) === 'CANCELLED', { what: 'CANCELLED' });
    const ended = await scrapeUntil(
      workerUrl,
      (scraped) => scraped.value('task_service_worker_running_tasks') === 0,
      'no task running in the worker',
    );
    expect(ended.by('task_service_tasks_completed_total', 'kind')).toEqual({ sleep_task: 2, calculation_task: 2 });
    expect(ended.by('task_service_tasks_failed_total', 'kind')).toEqual({ sleep_task: 1, calculation_task: 1 });
    expect(ended.by('task_service_tasks_cancelled_total', 'kind')).toEqual({ sleep_task: 1, calculation_task: 0 });
    expect(ended.families.has('task_service_tasks_created_total')).toBe(false);
    expect(ended.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);

    // The worker's cancel is not the API's: the API's counts are as they were.
    metrics = await scrapeUntil(
      api.url,
      (scraped) => scraped.value('task_service_queue_jobs', { state: 'active' }) === 0,
      'no job active',
    );
    expect(metrics.by('task_service_running_tasks', 'kind')).toEqual(everyKind({ sleep_task: 0, calculation_task: 0 }));
    expect(metrics.by('task_service_backlog', 'kind')).toEqual(everyKind({ sleep_task: 0, calculation_task: 0 }));
    expect(metrics.by('task_service_tasks_cancelled_total', 'kind')).toEqual(
      everyKind({ sleep_task: 1, calculation_task: 1 }),
    );
    expect(metrics.by('task_service_tasks_created_total', 'kind')).toEqual(
      everyKind({ sleep_task: 5, calculation_task: 4 }),
    );
    expect(metrics.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('should count sockets and subscriptions up and back to 0, and time only the changes it hands on', async () => {
    const api = await stack.startApi();
    const waiting = await createSleep(api.url, 60); // no worker: it stays QUEUED
    const first = client(api.url);
    const second = client(api.url);
    const updates = watch(first, TASK_UPDATED);
    // The root field through a fragment is still taskUpdated.
    watch(second, 'subscription { ...Changes } fragment Changes on Subscription { taskUpdated { id state } }');
    const progress = [watch(first, TASK_PROGRESS, { id: waiting }), watch(second, TASK_PROGRESS, { id: waiting })];
    const running = (metrics: Exposition, sockets: number, taskProgress: number, taskUpdated: number) =>
      metrics.value('task_service_open_sockets') === sockets &&
      metrics.value('task_service_subscriptions', { field: 'taskProgress' }) === taskProgress &&
      metrics.value('task_service_subscriptions', { field: 'taskUpdated' }) === taskUpdated;
    let metrics = await scrapeUntil(api.url, (scraped) => running(scraped, 2, 2, 2), 'two sockets, four subscriptions');
    // The snapshots sent so far were read, not handed on from a channel.
    expect(metrics.value('task_service_event_delay_seconds_count')).toBe(0);

    // A subscription that cannot start counts nothing.
    const unknown = watch(second, TASK_PROGRESS, { id: randomUUID() });
    await within(unknown.ended, 5_000, 'the refusal');
    expect(unknown.error).toBeTruthy();
    expect(running(await scrape(api.url), 2, 2, 2)).toBe(true);

    // One change, handed to the four subscribers; taskProgress ends after it.
    await gqlData(api.url, CANCEL_TASK, { id: waiting });
    await Promise.all(progress.map((watched) => within(watched.ended, 5_000, 'the end of taskProgress')));
    await scrapeUntil(api.url, (scraped) => running(scraped, 2, 0, 2), 'taskProgress ended');
    await waitFor(() => updates.values.length === 1, { what: 'the change over taskUpdated' });
    metrics = await scrapeUntil(
      api.url,
      (scraped) => scraped.value('task_service_event_delay_seconds_count') === 4,
      'four hand-offs timed',
    );
    expect(metrics.value('task_service_event_delay_seconds_sum')).toBeGreaterThanOrEqual(0);
    expect(metrics.value('task_service_event_delay_seconds_bucket', { le: '5' })).toBe(4);

    // A late subscriber gets the snapshot of the finished task, which is not timed.
    const late = watch(first, TASK_PROGRESS, { id: waiting });
    await within(late.ended, 5_000, 'the snapshot');
    expect(late.values).toHaveLength(1);
    metrics = await scrapeUntil(api.url, (scraped) => running(scraped, 2, 0, 2), 'the late subscription ended');
    expect(metrics.value('task_service_event_delay_seconds_count')).toBe(4);

    updates.stop(); // the first client's last subscription: it may close its socket too
    await scrapeUntil(
      api.url,
      (scraped) => scraped.value('task_service_subscriptions', { field: 'taskUpdated' }) === 1,
      'taskUpdated completed by the client',
    );
    await Promise.all(clients.splice(0).map((closing) => closing.dispose()));
    await scrapeUntil(api.url, (scraped) => running(scraped, 0, 0, 0), 'every socket closed');
  });

  it("should serve a worker's health and readiness, and count the reconnects of both sides", async () => {
    own = await startRedisServer({ fsyncAlways: true });
    await stack.close(); // this test's stack is on a Redis it can stop
    stack = await createTestStack({ redisUrl: own.url });
    const api = await stack.startApi();
    const workerUrl = `http://127.0.0.1:${await freePort()}`;
    await stack.startWorker({ metricsPort: Number(new URL(workerUrl).port) });
    const status = async (path: string) => (await fetch(`${workerUrl}${path}`)).status;
    expect(await status('/healthz')).toBe(200);
    expect(await status('/readyz')).toBe(200);
    expect(await status('/nothing-here')).toBe(404);
    expect((await scrape(workerUrl)).by('task_service_redis_reconnects_total', 'connection')).toEqual({
      bullmq: 0,
      commands: 0,
      cancel: 0,
    });

    await own.stop();
    await waitFor(async () => (await status('/readyz')) === 503, { what: 'the worker not ready' });
    expect(await status('/healthz')).toBe(200);
    await own.start();
    await waitFor(async () => (await status('/readyz')) === 200, { what: 'the worker ready again' });

    const once = (metrics: Exposition, connections: string[]) =>
      connections.every((connection) => metrics.value('task_service_redis_reconnects_total', { connection }) === 1);
    await scrapeUntil(workerUrl, (metrics) => once(metrics, ['bullmq', 'commands', 'cancel']), 'worker reconnects');
    await scrapeUntil(api.url, (metrics) => once(metrics, ['commands', 'subscriber']), 'API reconnects');
  });

  it('should read Redis once a second at most, however often /metrics is asked for', async () => {
    own = await startRedisServer({ fsyncAlways: true });
    await stack.close(); // on a Redis of its own, whose command counts are this test's alone
    stack = await createTestStack({ redisUrl: own.url, partitions: 4 });
    const api = await stack.startApi();
    const zcards = async () => {
      const stats = String(await stack.redis.info('commandstats'));
      return Number(/cmdstat_zcard:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    };
    const before = await zcards();
    const started = Date.now();
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${api.url}/metrics`)));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
    }
    const seconds = Math.ceil((Date.now() - started) / 1000);
    // Each read: the waiting and the running tasks of each kind in each of the 4 partitions, and the
    // tasks waiting to start in each; and the history's backlog sample, once a minute, one per
    // partition (src/tasks/task-history.ts).
    const perRead = (2 * taskKinds.length + 1) * 4;
    const historySample = 4;
    expect(await zcards()).toBeLessThanOrEqual(before + perRead * (seconds + 1) + historySample);
  });

  it('should read METRICS_PORT as a port, off when unset', () => {
    expect(parseWorkerConfig({}).metrics.port).toBeNull();
    expect(parseWorkerConfig({ METRICS_PORT: '9100' }).metrics).toEqual({ port: 9100, host: '0.0.0.0' });
    expect(() => parseWorkerConfig({ METRICS_PORT: '0' })).toThrow(/METRICS_PORT: must be at least 1/);
    expect(() => parseWorkerConfig({ METRICS_PORT: '65536' })).toThrow(/METRICS_PORT: must be at most 65535/);
  });
});
