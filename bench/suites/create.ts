/**
 * createSleepTask mutations per second over HTTP: the real API process beside three peers doing the
 * same work in processes of their own, each under a fresh key prefix with no worker running. The load
 * comes from autocannon in a process of its own, on loopback, over keep-alive connections.
 */
import { spawn } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createKeys, QUEUE_NAME } from '../../core/keys.js';
import { isCreated, type LoadOptions, type LoadResult } from '../peers/load.js';
import {
  benchPrefix,
  clean,
  freePort,
  redisUrl,
  root,
  startProcess,
  startService,
  stopProcess,
  waitReady,
} from '../support/service.js';
import { median, type Figure, type Suite } from '../support/suite.js';

const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const SECONDS = 5;
/** Rounds of all four targets in turn; each figure is the median of its rounds. */
const ROUNDS = 5;
const MUTATION = 'mutation { createSleepTask(input: { duration: 5 }) { id state } }';
const BODY = JSON.stringify({ query: MUTATION });

interface Target {
  key: 'ours' | 'bare' | 'mercurius' | 'yoga';
  label: string;
  start(): Promise<{ url: string; prefix: string; stop(): Promise<void> }>;
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
      return { url: service.urls[0]!, prefix: service.prefix, stop: () => service.stop() };
    },
  },
  { key: 'bare', label: 'bare node:http handler, same validation and Redis work', start: peer('bench/peers/bare.ts') },
  { key: 'mercurius', label: 'Mercurius (JIT) on Fastify, same schema', start: peer('bench/peers/mercurius.ts') },
  { key: 'yoga', label: 'GraphQL Yoga on node:http, same schema', start: peer('bench/peers/yoga.ts') },
];

/** One mutation by hand, before any load: the answer must be a created task. */
async function checkSample(url: string): Promise<void> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
  const text = await response.text();
  if (response.status !== 200 || !isCreated(text)) {
    throw new Error(`sample answer from ${url}: ${response.status} ${text.slice(0, 300)}`);
  }
}

function load(options: LoadOptions): Promise<{ warmup: LoadResult; measured: LoadResult }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/peers/load.ts', JSON.stringify(options)], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out) as { warmup: LoadResult; measured: LoadResult });
      } catch {
        reject(new Error(`load generator printed ${out.slice(0, 300)}`));
      }
    });
  });
}

/** Jobs in the prefix's queue (nothing takes them: no worker runs) and task records in its index. */
async function countEnqueued(prefix: string): Promise<{ jobs: number; records: number }> {
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

const failures = (result: LoadResult) => result.non2xx + result.errors + result.timeouts + result.mismatches;

async function measure(target: Target, log: (line: string) => void): Promise<number> {
  const running = await target.start();
  try {
    await checkSample(running.url);
    const { warmup, measured } = await load({
      url: `${running.url}/graphql`,
      body: BODY,
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
    });
    // Requests cut off when a run ends may still be enqueued: let the server finish them.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { jobs, records } = await countEnqueued(running.prefix);
    const perSecond = measured.ok / measured.duration;
    log(
      `${target.key}: ${perSecond.toFixed(0)} mutations/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms; ` +
        `errors ${measured.errors}, timeouts ${measured.timeouts}, non-2xx ${measured.non2xx}, ` +
        `bad answers ${measured.mismatches} (warm-up: ${failures(warmup)} failures)`,
    );
    const answered = 1 + warmup.ok + measured.ok;
    // Each run may leave up to one request per connection sent but unanswered when it stops.
    const slack = 2 * CONNECTIONS;
    log(`${target.key}: ${answered} tasks answered, ${jobs} jobs in its queue, ${records} task records`);
    if (failures(warmup) + failures(measured) > 0) throw new Error(`${target.key}: failed requests under load`);
    for (const [what, count] of [
      ['jobs', jobs],
      ['task records', records],
    ] as const) {
      if (count < answered || count > answered + slack) {
        throw new Error(`${target.key}: answered ${answered} created tasks but holds ${count} ${what}`);
      }
    }
    return perSecond;
  } finally {
    await running.stop();
  }
}

export const createSuite: Suite = {
  name: 'create',
  description:
    `createSleepTask mutations/s over HTTP, ${CONNECTIONS} keep-alive connections, ${SECONDS} s after a ` +
    `${WARMUP_SECONDS} s warm-up, load from autocannon in its own process on loopback. Each target runs in a ` +
    'process of its own under a fresh key prefix with no worker; every answer is checked and the jobs counted. ' +
    'The bare handler is the floor (no GraphQL); Mercurius and Yoga serve the same schema and TaskService. ' +
    `${ROUNDS} rounds of the four in turn; each figure is the median of its rounds (one run swings by 10 % or more here).`,
  async run(log) {
    const rounds = new Map<Target['key'], number[]>(targets.map((target) => [target.key, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) rounds.get(target.key)!.push(await measure(target, log));
    }
    const perSecond = new Map([...rounds].map(([key, values]) => [key, median(values)]));
    const ours = perSecond.get('ours')!;
    const figure = (key: Target['key'], goal: string | null): Figure => ({
      figure: 'createSleepTask mutations/s',
      unit: 'req/s',
      value: ours,
      baseline: targets.find((target) => target.key === key)!.label,
      baselineValue: perSecond.get(key)!,
      goal,
    });
    return [figure('bare', '>= 0.7'), figure('mercurius', '>= 1.0'), figure('yoga', null)];
  },
};
