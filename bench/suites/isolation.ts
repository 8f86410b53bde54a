import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { parseTaskHash, type TaskRecord } from '../../core/task-record.js';
import primeCountTask from '../../tasks/prime-count.js';
import sleepTask from '../../tasks/sleep.js';
import { THREAD_NICENESS } from '../../worker/thread-runs.js';
import { freePort, redisUrl, startService, waitReady } from '../support/service.js';
import { median, type Figure, type Suite } from '../support/suite.js';
import { createTaskBench, percentile, type TaskBench } from '../support/tasks.js';

/** The top of prime_count_task's input: about 12 s of one core here. */
const TOP_LIMIT = 2_000_000_000;
const PRIMES_UP_TO_TOP = 98_222_287;
const SIEVES = 2;
/** Started over one second, as tasks created one by one are: 400 steps, so that a p99 is not one step's. */
const SLEEPS = 100;
const SLEEP_SECONDS = 4;
const LATENESS_GOAL_MS = 50;
const SIEVE_ROUNDS = 6;

/** Every change of the tasks of a prefix, as published, by task id. */
async function recordEvents(channel: string) {
  const subscriber = new Redis(redisUrl);
  const byTask = new Map<string, TaskRecord[]>();
  subscriber.on('message', (_channel: string, message: string) => {
    const record = parseTaskHash(JSON.parse(message) as Record<string, string>);
    byTask.set(record.id, [...(byTask.get(record.id) ?? []), record]);
  });
  await subscriber.subscribe(channel);
  return { byTask, close: () => subscriber.quit().then(() => undefined) };
}

/**
 * How late each step of these sleeps was (ms): a sleep aims its step i at i whole seconds after its
 * start, so each step's lateness is its event's time less that (both on Redis' clock).
 */
function stepLateness(events: ReadonlyMap<string, TaskRecord[]>, ids: readonly string[]): number[] {
  return ids.flatMap((id) => {
    const changes = events.get(id) ?? [];
    const start = changes.find((change) => change.state === 'ACTIVE')?.changedAt;
    if (start === undefined) return [];
    return changes
      .filter((change) => change.state === 'ACTIVE' && change.current > 0)
      .map((step) => step.changedAt! - start - step.current * 1000);
  });
}

/** The worker's event-loop delay p99 (ms) since the last scrape, from its own /metrics (prom-client resets it each scrape). */
async function eventLoopDelayP99(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const match = /^nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text);
  if (!match) throw new Error('the worker serves no nodejs_eventloop_lag_p99_seconds');
  return Number(match[1]) * 1000;
}

/**
 * The same sieve function, prime-count's `countPrimes`, in a bare worker thread of this process at
 * the service's threads' priority (worker/thread-runs.ts): its time to count up to `limit` inside
 * the thread (loading excluded), in ms.
 */
async function bareThreadSieve(limit: number): Promise<{ count: number; ms: number }> {
  // This process runs under tsx, which a thread does not inherit: the thread registers it itself.
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    // On Linux a thread's priority is its own: this one's, as the service gives its threads.
    if (workerData.niceness) require('node:os').setPriority(workerData.niceness);
    (async () => {
      (await import(workerData.tsx)).register();
      const { countPrimes } = await import(workerData.file);
      const started = performance.now();
      const count = await countPrimes(workerData.limit);
      parentPort.postMessage({ count, ms: performance.now() - started });
    })();`;
  const worker = new Worker(code, {
    eval: true,
    workerData: {
      tsx: import.meta.resolve('tsx/esm/api'),
      file: new URL('../../tasks/prime-count.ts', import.meta.url).href,
      limit,
      niceness: process.platform === 'linux' ? THREAD_NICENESS : 0,
    },
  });
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

export const isolationSuite: Suite = {
  name: 'isolation',
  description:
    `One worker process, in turn: ${SLEEPS} sleep tasks of ${SLEEP_SECONDS} s started over a second; the same sleeps while ` +
    `${SIEVES} prime_count_tasks up to ${TOP_LIMIT.toLocaleString('en')} run on it, each in a worker thread, one that ` +
    `ends followed by another at once (this machine has ${availableParallelism()} cores). ` +
    "(1) The worker's event-loop delay p99 over the sleeps, read from its own /metrics (prom-client's monitor, 10 ms " +
    'resolution, reset by each scrape), against the same worker and sleeps with no sieve: lower is better, goal <= 2 x. ' +
    "(2) How late the sleeps' steps were (each aims at a whole second from its start; Redis' clock), p99 against the " +
    'goal of 50 ms: lower is better. (3) The sieve up to the top limit in the service (startedAt to finishedAt of its ' +
    "record: thread, steps and all) against the same function in a bare worker thread of the bench's process at the " +
    `same priority (the sieve alone), as numbers sieved per second; ${SIEVE_ROUNDS} rounds, each starting with the ` +
    "other, the median of the rounds' ratios: higher is better, goal >= 0.9 x.",
  async run(log) {
    const metricsPort = await freePort();
    const metricsUrl = `http://127.0.0.1:${metricsPort}`;
    const service = await startService({
      apis: 0,
      workers: 1,
      env: { METRICS_PORT: String(metricsPort), HOST: '127.0.0.1' },
    });
    const bench: TaskBench = createTaskBench(service.prefix);
    const events = await recordEvents(bench.keys.allTasksChannel);
    const ended = async (ids: readonly string[], timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const records = await Promise.all(ids.map((id) => bench.store.get(id)));
        if (records.every((record) => record?.finishedAt)) return records as TaskRecord[];
        if (Date.now() > deadline) throw new Error(`tasks not ended within ${timeoutMs} ms`);
        await sleep(100);
      }
    };
    const sleeps = async (label: string) => {
      await eventLoopDelayP99(metricsUrl); // resets the monitor
      // Spread over a second, as tasks created one by one are: their steps do not all fall at once.
      const records: TaskRecord[] = [];
      for (let i = 0; i < SLEEPS; i++) {
        records.push(...(await bench.enqueue(sleepTask, [{ duration: SLEEP_SECONDS }])));
        await sleep(1000 / SLEEPS);
      }
      const ids = records.map((record) => record.id);
      const done = await ended(ids, (SLEEP_SECONDS + 20) * 1000);
      const delay = await eventLoopDelayP99(metricsUrl);
      await sleep(200); // the last events
      const lateness = stepLateness(events.byTask, ids).sort((a, b) => a - b);
      const completed = done.filter((record) => record.state === 'COMPLETED').length;
      log(
        `${label}: event-loop delay p99 ${delay.toFixed(1)} ms; ${completed} of ${SLEEPS} sleeps completed, ` +
          `${lateness.length} steps, late p50 ${percentile(lateness, 50)} ms, p99 ${percentile(lateness, 99)} ms, max ${lateness.at(-1)} ms`,
      );
      return { delay, lateness };
    };

    try {
      await waitReady(metricsUrl);
      // The worker is up once its record is in the registry.
      while ((await bench.redis.zcard(bench.keys.workers)) === 0) await sleep(100);
      const idle = await sleeps('no sieve');

      // Two sieves at all times: one that ends is followed by another at once, until the sleeps end.
      const sieveIds: string[] = [];
      const running = new Set<string>();
      const startSieve = async () => {
        const [record] = await bench.enqueue(primeCountTask, [{ limit: TOP_LIMIT }]);
        sieveIds.push(record!.id);
        running.add(record!.id);
      };
      for (let i = 0; i < SIEVES; i++) await startSieve();
      // Measured once both sieve (their threads started and loaded).
      while (![...running].every((id) => (events.byTask.get(id) ?? []).some((change) => change.current > 0))) {
        await sleep(50);
      }
      let sleepsEnded = false;
      const topUp = (async () => {
        while (!sleepsEnded) {
          for (const id of running) {
            if (!(await bench.store.get(id))?.finishedAt) continue;
            running.delete(id);
            await startSieve();
          }
          await sleep(20);
        }
      })();
      const busy = await sleeps(`${SIEVES} sieves running`).finally(() => (sleepsEnded = true));
      await topUp;
      const states = await Promise.all([...running].map(async (id) => (await bench.store.get(id))?.state));
      log(`${sieveIds.length} sieves in all; the last ${SIEVES} were ${states.join(', ')} when the sleeps ended`);
      const sieved = await ended(sieveIds, 120_000);
      const counts = new Set(sieved.map((record) => (record.result as { count: number } | null)?.count));
      log(`the sieves counted ${[...counts].join(', ')} (${PRIMES_UP_TO_TOP} expected)`);

      // The sieve alone, in the service and in a bare thread, in turns.
      const serviceRates: number[] = [];
      const bareRates: number[] = [];
      const inService = async () => {
        const [task] = await bench.enqueue(primeCountTask, [{ limit: TOP_LIMIT }]);
        const [record] = await ended([task!.id], 120_000);
        // Its first and last log lines, written as the run begins and ends in its thread.
        const lines = await bench.store.logs(task!.id, 10);
        return {
          ms: record!.finishedAt!.getTime() - record!.startedAt!.getTime(),
          runMs: lines.at(-1)!.at.getTime() - lines[0]!.at.getTime(),
          count: (record!.result as { count: number } | null)?.count,
        };
      };
      for (let round = 1; round <= SIEVE_ROUNDS; round++) {
        // Each round starts with the other, so that neither always meets the machine first.
        const first = round % 2 ? await inService() : null;
        const bare = await bareThreadSieve(TOP_LIMIT);
        const ours = first ?? (await inService());
        serviceRates.push(TOP_LIMIT / (ours.ms / 1000));
        bareRates.push(TOP_LIMIT / (bare.ms / 1000));
        log(
          `round ${round}: in the service ${(ours.ms / 1000).toFixed(2)} s, its run ${(ours.runMs / 1000).toFixed(2)} s ` +
            `(${ours.count}); bare thread ${(bare.ms / 1000).toFixed(2)} s (${bare.count})`,
        );
      }
      const millions = (rate: number) => rate / 1e6;

      return [
        {
          figure: `worker event-loop delay p99, ${SIEVES} sieves running`,
          unit: 'ms',
          value: busy.delay,
          baseline: 'the same worker and sleeps, no sieve',
          baselineValue: idle.delay,
          goal: '<= 2',
        },
        {
          figure: `sleep step lateness p99, ${SIEVES} sieves running`,
          unit: 'ms',
          value: percentile(busy.lateness, 99),
          baseline: 'the goal',
          baselineValue: LATENESS_GOAL_MS,
          goal: '<= 1',
        },
        {
          figure: 'sleep step lateness p99, no sieve',
          unit: 'ms',
          value: percentile(idle.lateness, 99),
          baseline: 'the goal',
          baselineValue: LATENESS_GOAL_MS,
          goal: null,
        },
        {
          figure: `sieve up to ${TOP_LIMIT.toLocaleString('en')} in the service, median`,
          unit: 'M numbers/s',
          value: millions(median(serviceRates)),
          baseline: 'the same function in a bare worker thread',
          baselineValue: millions(median(bareRates)),
          goal: '>= 0.9',
          pairedRatio: median(serviceRates.map((rate, i) => rate / bareRates[i]!)),
        },
      ] satisfies Figure[];
    } finally {
      await events.close();
      await bench.close();
      await service.stop();
    }
  },
};
