/**
 * createSleepTask mutations per second over HTTP: the real API process beside three peers doing the
 * same work in processes of their own, each under a key prefix of its own with no worker running,
 * all four running side by side for the whole suite and measured in turns. The load comes from
 * autocannon in a process of its own, on loopback, over keep-alive connections.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createKeys, QUEUE_NAME } from '../../core/keys.js';
import { startEntryPoint } from '../../testbed/processes.js';
import { isCreated, type LoadOptions, type LoadResult } from '../peers/load.js';
import {
  benchPrefix,
  clean,
  freePort,
  redisUrl,
  startProcess,
  startService,
  stopProcess,
  waitReady,
} from '../support/service.js';
import { processCpuMicros } from '../support/usage.js';
import { median, type Figure, type Suite } from '../support/suite.js';

export const CONNECTIONS = 50;
/** Each server's first load, not measured: V8 compiles its hot paths. */
const FIRST_WARMUP_SECONDS = 3;
/** Before each measured run: the connections opened and the server under load. */
const WARMUP_SECONDS = 1;
const SECONDS = 4;
/** Rounds of all four targets in turn; each value is the median of its rounds. */
const ROUNDS = 7;
const MUTATION = 'mutation { createSleepTask(input: { duration: 5 }) { id state } }';
export const BODY = JSON.stringify({ query: MUTATION });

interface Target {
  key: 'ours' | 'bare' | 'mercurius' | 'yoga';
  label: string;
  /** Starts the server; pid is its process, to read its CPU time. */
  start(): Promise<{ url: string; prefix: string; pid: number; stop(): Promise<void> }>;
}

/** A peer entry point under bench/peers, started as the API is (startProcess), under a fresh prefix. */
function peer(entry: string) {
  return async () => {
    const prefix = benchPrefix();
    const port = await freePort();
    const child = startProcess(entry, { REDIS_KEY_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1' });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(url);
    } catch (error) {
      await stopProcess(child);
      await clean(prefix);
      throw error;
    }
    return {
      url,
      prefix,
      pid: child.child.pid!,
      async stop() {
        await stopProcess(child);
        await clean(prefix);
      },
    };
  };
}

const targets: Target[] = [
  {
    key: 'ours',
    label: 'the API (Apollo Server on node:http)',
    async start() {
      const service = await startService({ apis: 1 });
      return { url: service.urls[0]!, prefix: service.prefix, pid: service.apiPids[0]!, stop: () => service.stop() };
    },
  },
  { key: 'bare', label: 'bare node:http handler, same validation and Redis work', start: peer('bench/peers/bare.ts') },
  { key: 'mercurius', label: 'Mercurius (JIT) on Fastify, same schema', start: peer('bench/peers/mercurius.ts') },
  { key: 'yoga', label: 'GraphQL Yoga on node:http, same schema', start: peer('bench/peers/yoga.ts') },
];

/** One mutation by hand, before any load: the answer must be a created task. */
export async function checkSample(url: string, body = BODY): Promise<void> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  if (response.status !== 200 || !isCreated(text)) {
    throw new Error(`sample answer from ${url}: ${response.status} ${text.slice(0, 300)}`);
  }
}

/** One load generator process: its warm-up run, then its measured run. */
export async function load(options: LoadOptions): Promise<{ warmup: LoadResult; measured: LoadResult }> {
  const generator = startEntryPoint('bench/peers/load.ts', [JSON.stringify(options)], {
    env: { NODE_ENV: 'production' },
    stderr: 'inherit',
  });
  const code = await generator.exited;
  const failed = generator.error();
  if (failed) throw failed;
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  try {
    return JSON.parse(generator.stdout()) as { warmup: LoadResult; measured: LoadResult };
  } catch {
    throw new Error(`load generator printed ${generator.stdout().slice(0, 300)}`);
  }
}

/** Jobs in the prefix's queue (nothing takes them: no worker runs) and task records in its index. */
export async function countEnqueued(prefix: string): Promise<{ jobs: number; records: number }> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix });
  try {
    const counts = await queue.getJobCounts();
    const jobs = Object.values(counts).reduce((sum, count) => sum + count, 0);
    const records = await redis.zcard(createKeys(prefix).index({}));
    return { jobs, records };
  } finally {
    await queue.close();
    await redis.quit();
  }
}

export const failures = (result: LoadResult) => result.non2xx + result.errors + result.timeouts + result.mismatches;

interface Measured {
  perSecond: number;
  /** The server process's CPU time per mutation answered, warm-up included, in microseconds. */
  cpuPerMutation: number;
}

type Running = Awaited<ReturnType<Target['start']>>;

/**
 * One load run against a running target: every answer checked, then its jobs and records counted
 * against the tasks it answered, then its keys deleted so that every run starts from the same Redis.
 */
async function measure(
  target: Target,
  running: Running,
  { warmupSeconds, seconds, counted = true }: { warmupSeconds: number; seconds: number; counted?: boolean },
  log: (line: string) => void,
): Promise<Measured> {
  const cpuBefore = processCpuMicros(running.pid);
  const { warmup, measured } = await load({
    url: `${running.url}/graphql`,
    body: BODY,
    connections: CONNECTIONS,
    warmupSeconds,
    seconds,
  });
  // Requests cut off when a run ends may still be enqueued: let the server finish them.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const answered = warmup.ok + measured.ok;
  const cpuPerMutation = (processCpuMicros(running.pid) - cpuBefore) / answered;
  const { jobs, records } = await countEnqueued(running.prefix);
  const perSecond = measured.ok / measured.duration;
  const name = counted ? target.key : `${target.key} (first load, not counted)`;
  log(
    `${name}: ${perSecond.toFixed(0)} mutations/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ` +
      `${cpuPerMutation.toFixed(0)} µs of CPU per mutation; ${answered} tasks answered, ${jobs} jobs, ` +
      `${records} records; errors ${measured.errors}, timeouts ${measured.timeouts}, non-2xx ${measured.non2xx}, ` +
      `bad answers ${measured.mismatches} (warm-up: ${failures(warmup)} failures)`,
  );
  if (failures(warmup) + failures(measured) > 0) throw new Error(`${target.key}: failed requests under load`);
  // Each run may leave up to one request per connection sent but unanswered when it stops.
  const slack = 2 * CONNECTIONS;
  for (const [what, count] of [
    ['jobs', jobs],
    ['task records', records],
  ] as const) {
    if (count < answered || count > answered + slack) {
      throw new Error(`${target.key}: answered ${answered} created tasks but holds ${count} ${what}`);
    }
  }
  await clean(running.prefix);
  return { perSecond, cpuPerMutation };
}

export const createSuite: Suite = {
  name: 'create',
  description:
    `createSleepTask mutations/s over HTTP, ${CONNECTIONS} keep-alive connections, load from autocannon in its own ` +
    'process on loopback. The four servers run side by side, each in a process of its own under its own key ' +
    `prefix with no worker; each first takes ${FIRST_WARMUP_SECONDS} s of load that is not measured (V8 compiles ` +
    `its hot paths), then ${ROUNDS} rounds of the four in turn, each round starting with the next, each run ` +
    `${SECONDS} s after a ${WARMUP_SECONDS} s warm-up. Every answer is checked, the jobs and records counted, and ` +
    'the keys deleted after each run. The bare handler is the floor (no GraphQL: the task service called ' +
    "directly); the API runs every request through Apollo's whole pipeline; Mercurius and Yoga serve the same " +
    'schema and task service, with the same admission of each operation in their own hooks. ' +
    "Each value is the median of its rounds, each ratio the median of the rounds' own " +
    "ratios (one run swings by 10 % or more here, and the machine's speed drifts from round to round, which a " +
    "ratio within one round cancels). Reported beside the rates: each server process's CPU time per mutation, " +
    'steadier than a rate on a shared machine where the load generator, Redis and the server compete for the ' +
    'same cores. Higher is better for rates, lower for CPU times.',
  async run(log) {
    const running = new Map<Target['key'], Running>();
    const rounds = new Map<Target['key'], Measured[]>(targets.map((target) => [target.key, []]));
    try {
      for (const target of targets) {
        const started = await target.start();
        running.set(target.key, started);
        await checkSample(started.url);
        await clean(started.prefix);
        // Not measured: V8 compiles the server's hot paths.
        await measure(target, started, { warmupSeconds: 0, seconds: FIRST_WARMUP_SECONDS, counted: false }, log);
      }
      for (let round = 0; round < ROUNDS; round++) {
        // Each round starts with the next target, so that none is always measured first or last.
        const order = [...targets.slice(round % targets.length), ...targets.slice(0, round % targets.length)];
        for (const target of order) {
          const run = await measure(
            target,
            running.get(target.key)!,
            { warmupSeconds: WARMUP_SECONDS, seconds: SECONDS },
            log,
          );
          rounds.get(target.key)!.push(run);
        }
      }
    } finally {
      await Promise.all([...running.values()].map((started) => started.stop()));
    }
    const middle = (key: Target['key'], field: keyof Measured) => median(rounds.get(key)!.map((run) => run[field]));
    const pairedRatio = (key: Target['key'], field: keyof Measured) => {
      const baseline = rounds.get(key)!;
      return median(rounds.get('ours')!.map((run, round) => run[field] / baseline[round]![field]));
    };
    const label = (key: Target['key']) => targets.find((target) => target.key === key)!.label;
    const rate = (key: Target['key'], goal: string | null): Figure => ({
      figure: 'createSleepTask mutations/s',
      unit: 'req/s',
      value: middle('ours', 'perSecond'),
      baseline: label(key),
      baselineValue: middle(key, 'perSecond'),
      goal,
      pairedRatio: pairedRatio(key, 'perSecond'),
    });
    const cpu = (key: Target['key']): Figure => ({
      figure: 'server CPU time per mutation',
      unit: 'µs',
      value: middle('ours', 'cpuPerMutation'),
      baseline: label(key),
      baselineValue: middle(key, 'cpuPerMutation'),
      goal: null,
      pairedRatio: pairedRatio(key, 'cpuPerMutation'),
    });
    return [rate('bare', '>= 0.7'), rate('yoga', '>= 1.5'), rate('mercurius', null), cpu('bare'), cpu('mercurius')];
  },
};
