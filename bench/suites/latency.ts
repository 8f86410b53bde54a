/**
 * Latency of live progress: from a progress step written in Redis (the worker's Lua script, which
 * writes the task and PUBLISHes it) to its arrival at a graphql-ws client subscribed to taskProgress
 * on a real API process. The steps are made here, through core/task-store.ts as a worker makes
 * them, one at a time: each is stamped before the script is sent and matched on arrival by task id
 * and `current`. Baseline: a raw PUBLISH to SUBSCRIBE round trip on the same Redis (two ioredis
 * connections, a payload the size of a task record), as many samples, under the same load, taken in
 * turns with the service's.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { createKeys } from '../../core/keys.js';
import { createPartitions } from '../../core/partitions.js';
import sleepTask from '../../tasks/sleep.js';
import { createTaskStore, type TaskStore } from '../../core/task-store.js';
import type { LoadCommand, LoadReport, StepperCommand, StepperReport } from '../peers/load-protocol.js';
import { startPeer } from '../peers/peer.js';
import { benchPrefix, redisUrl, startService } from '../support/service.js';
import type { Figure, Suite } from '../support/suite.js';

const SAMPLES = 500;
const WARMUP = 50;
const MEASURED_TASKS = 10;
const LOAD_TASKS = 1_000;
const LOAD_SOCKETS = 10; // 100 subscriptions each: the API's default limit per socket
const SAMPLE_TIMEOUT_MS = 5_000;
/** Pause after each sample, so that the samples span some 10 s of the load rather than a fraction of a second. */
const GAP_MS = 10;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SUBSCRIPTION = 'subscription ($id: ID!) { taskProgress(id: $id) { id state current total progress } }';

interface ProgressData {
  taskProgress: { id: string; state: string; current: number };
}

interface Samples {
  times: number[];
  lost: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function summary(samples: Samples): { p50: number; p99: number; max: number } {
  const sorted = [...samples.times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? NaN };
}

/** Creates sleep tasks over HTTP, ten to a request (the API's limit of root fields). */
export async function createTasks(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  const requests = Array.from({ length: Math.ceil(count / 10) }, (_, i) => Math.min(10, count - i * 10));
  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      const size = requests[next++]!;
      const fields = Array.from({ length: size }, (_, j) => `t${j}: createSleepTask(input: { duration: 300 }) { id }`);
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `mutation { ${fields.join(' ')} }` }),
      });
      const body = (await response.json()) as { data?: Record<string, { id: string }> | null; errors?: unknown };
      if (!body.data || body.errors) throw new Error(`createSleepTask failed: ${JSON.stringify(body.errors)}`);
      ids.push(...Object.values(body.data).map((task) => task.id));
    }
  };
  await Promise.all(Array.from({ length: 10 }, lane));
  return ids;
}

/** The measured client: one graphql-ws socket with one taskProgress subscription per measured task. */
class ProgressWatcher {
  private client: Client;
  private waiting = new Map<string, (at: number) => void>();
  private stops: (() => void)[] = [];

  constructor(url: string) {
    this.client = createClient({
      url: `${url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
  }

  /** Subscribes and resolves once each subscription has its snapshot (it is live from then on). */
  async watch(ids: string[]): Promise<void> {
    await Promise.all(
      ids.map(
        (id) =>
          new Promise<void>((resolve, reject) => {
            let first = true;
            this.stops.push(
              this.client.subscribe<ProgressData>(
                { query: SUBSCRIPTION, variables: { id } },
                {
                  next: (result) => {
                    const at = performance.now();
                    if (first) {
                      first = false;
                      return resolve();
                    }
                    const task = result.data?.taskProgress;
                    if (task) this.waiting.get(`${task.id}:${task.current}`)?.(at);
                  },
                  error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
                  complete: () => reject(new Error(`taskProgress ${id} completed`)),
                },
              ),
            );
          }),
      ),
    );
  }

  /** When the event for this step arrives, or null after the timeout. */
  arrival(id: string, current: number): Promise<number | null> {
    const key = `${id}:${current}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        resolve(null);
      }, SAMPLE_TIMEOUT_MS);
      this.waiting.set(key, (at) => {
        clearTimeout(timer);
        this.waiting.delete(key);
        resolve(at);
      });
    });
  }

  async close(): Promise<void> {
    for (const stop of this.stops) stop();
    await this.client.dispose();
  }
}

/** One step through the service: made here as a worker makes it, timed to its arrival at the client. */
function serviceSampler(store: TaskStore, watcher: ProgressWatcher, ids: string[], runId: string) {
  const current = new Map<string, number>();
  let next = 0;
  return async (): Promise<number | null> => {
    const id = ids[next++ % ids.length]!;
    const step = (current.get(id) ?? 0) + 1;
    current.set(id, step);
    const arrival = watcher.arrival(id, step);
    const sent = performance.now();
    if (!(await store.progress({ id, name: sleepTask.name }, runId, { current: step, total: 100_000 })))
      throw new Error(`progress on ${id} refused`);
    const at = await arrival;
    return at === null ? null : at - sent;
  };
}

/** The baseline: a raw PUBLISH to SUBSCRIBE round trip of the same payload on the same Redis. */
async function openBaseline(payload: string) {
  const channel = `${benchPrefix()}:latency-baseline`;
  const publisher = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  let onMessage: ((at: number) => void) | null = null;
  subscriber.on('message', () => onMessage?.(performance.now()));
  await subscriber.subscribe(channel);
  return {
    async sample(): Promise<number | null> {
      const arrival = new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), SAMPLE_TIMEOUT_MS);
        onMessage = (at) => {
          clearTimeout(timer);
          resolve(at);
        };
      });
      const sent = performance.now();
      await publisher.publish(channel, payload);
      const at = await arrival;
      onMessage = null;
      return at === null ? null : at - sent;
    },
    close() {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/**
 * The service's samples and the baseline's taken in turns, one of each at a time, so that both
 * meet the same moments of the machine (a pause of the host, another process's burst).
 */
async function measureInTurns(
  service: () => Promise<number | null>,
  baseline: () => Promise<number | null>,
  count: number,
): Promise<{ service: Samples; baseline: Samples }> {
  const samples: Record<'service' | 'baseline', Samples> = {
    service: { times: [], lost: 0 },
    baseline: { times: [], lost: 0 },
  };
  const record = (into: Samples, time: number | null) => (time === null ? into.lost++ : into.times.push(time));
  for (let i = 0; i < count; i++) {
    record(samples.service, await service());
    await pause(GAP_MS);
    record(samples.baseline, await baseline());
    await pause(GAP_MS);
  }
  return samples;
}

export const latencySuite: Suite = {
  name: 'latency',
  description:
    "Progress step written in Redis (the worker Lua script via core/task-store) to its arrival at a graphql-ws taskProgress subscriber of one API process, one step at a time; baseline: raw Redis PUBLISH to SUBSCRIBE of a task-record-sized payload, same Redis, same count, same load, its samples taken in turns with the service's so that both meet the same moments of the machine. Under load: 1,000 other subscriptions (10 sockets, from a separate process) each get 1 event/s (a separate stepper process).",
  async run(log) {
    const started = Date.now();
    const service = await startService();
    const [url] = service.urls;
    if (!url) throw new Error('no API url');
    const redis = new Redis(redisUrl);
    const store = createTaskStore(redis, createPartitions(service.prefix, 1));
    const watcher = new ProgressWatcher(url);
    const load = startPeer<LoadCommand, LoadReport>('ws-load.ts');
    const stepper = startPeer<StepperCommand, StepperReport>('stepper.ts');
    let rawPubSub: Awaited<ReturnType<typeof openBaseline>> | null = null;
    try {
      const ids = await createTasks(url, MEASURED_TASKS);
      const runId = randomUUID();
      for (const id of ids) await store.start({ id, name: sleepTask.name }, runId, 'bench', { attemptsMade: 0 });
      await watcher.watch(ids);
      const payload = JSON.stringify(await redis.hgetall(createKeys(service.prefix).task(ids[0]!)));
      log(`payload ${payload.length} bytes (a task record as the Lua script publishes it)`);
      const serviceSample = serviceSampler(store, watcher, ids, runId);
      rawPubSub = await openBaseline(payload);

      await measureInTurns(serviceSample, rawPubSub.sample, WARMUP);
      const { service: idle, baseline: idleBase } = await measureInTurns(serviceSample, rawPubSub.sample, SAMPLES);
      const [a, b] = [summary(idle), summary(idleBase)];
      log(
        `idle: service p50 ${a.p50.toFixed(2)} p99 ${a.p99.toFixed(2)} max ${a.max.toFixed(2)} ms, lost ${idle.lost}`,
      );
      log(
        `idle: baseline p50 ${b.p50.toFixed(2)} p99 ${b.p99.toFixed(2)} max ${b.max.toFixed(2)} ms, lost ${idleBase.lost}`,
      );

      const loadIds = await createTasks(url, LOAD_TASKS);
      load.send({
        type: 'open',
        url,
        mode: 'graphql',
        sockets: LOAD_SOCKETS,
        perSocket: LOAD_TASKS / LOAD_SOCKETS,
        taskIds: loadIds,
        concurrency: LOAD_SOCKETS,
        timeoutMs: 60_000,
      });
      const opened = await load.next('opened', 70_000);
      log(`load: ${opened.subscriptions} subscriptions on ${opened.sockets} sockets (${opened.failed} failed)`);
      if (opened.failed || opened.subscriptions !== LOAD_TASKS) throw new Error('load subscriptions failed');
      stepper.send({ type: 'start', prefix: service.prefix, redisUrl, taskIds: loadIds, perSecond: 1 });
      await stepper.next('running', 60_000);
      await pause(2_000); // let the load settle into its rate
      const loadedStarted = Date.now();
      const { service: loaded, baseline: loadedBase } = await measureInTurns(serviceSample, rawPubSub.sample, SAMPLES);
      const loadedSeconds = (Date.now() - loadedStarted) / 1000;
      stepper.send({ type: 'stop' });
      const stopped = await stepper.next('stopped', 10_000);
      const delivered = await new Promise<LoadReport>((resolve) => {
        // How many load events arrived: steps are numbered 1, 2, ...; count those of step 2.
        load.send({ type: 'expect', current: 2, expected: LOAD_TASKS, timeoutMs: 5_000 });
        load
          .next('delivered', 10_000)
          .then(resolve, (error: unknown) => resolve({ type: 'error', message: String(error) }));
      });
      const [c, d] = [summary(loaded), summary(loadedBase)];
      log(
        `load: stepper made ${stopped.steps} steps (${stopped.lateTicks} late ticks); the measured samples (service and baseline in turns) took ${loadedSeconds.toFixed(1)} s; load events of step 2: ${JSON.stringify(delivered)}`,
      );
      log(
        `loaded: service p50 ${c.p50.toFixed(2)} p99 ${c.p99.toFixed(2)} max ${c.max.toFixed(2)} ms, lost ${loaded.lost}`,
      );
      log(
        `loaded: baseline p50 ${d.p50.toFixed(2)} p99 ${d.p99.toFixed(2)} max ${d.max.toFixed(2)} ms, lost ${loadedBase.lost}`,
      );
      if (idle.lost || loaded.lost)
        log(`WARNING: ${idle.lost + loaded.lost} service events lost (not in the percentiles)`);
      log(`suite took ${((Date.now() - started) / 1000).toFixed(0)} s`);

      const baseline = 'raw Redis PUBLISH→SUBSCRIBE';
      return [
        {
          figure: 'step→client latency p50, idle',
          unit: 'ms',
          value: a.p50,
          baseline,
          baselineValue: b.p50,
          goal: null,
        },
        {
          figure: 'step→client latency p99, idle',
          unit: 'ms',
          value: a.p99,
          baseline,
          baselineValue: b.p99,
          goal: '<= 8',
        },
        {
          figure: 'step→client latency p50, 1,000 other subs at 1 event/s',
          unit: 'ms',
          value: c.p50,
          baseline: `${baseline}, same load`,
          baselineValue: d.p50,
          goal: null,
        },
        {
          figure: 'step→client latency p99, 1,000 other subs at 1 event/s',
          unit: 'ms',
          value: c.p99,
          baseline: `${baseline}, same load`,
          baselineValue: d.p99,
          goal: '<= 20',
        },
      ] satisfies Figure[];
    } finally {
      stepper.send({ type: 'stop' });
      await Promise.all([stepper.stop(), load.stop()]);
      await watcher.close();
      rawPubSub?.close();
      redis.disconnect();
      await service.stop();
    }
  },
};
