/**
 * createSleepTask with an idempotency key, against the same mutation without one: the API process's
 * CPU time per create and its rate, under the create suite's load (its load generator, connections
 * and checks), all three kinds of load taking turns on one API process.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createKeys } from '../../core/keys.js';
import { clean, redisUrl, startService, type RunningService } from '../support/service.js';
import { median, type Figure, type Suite } from '../support/suite.js';
import { processCpuMicros } from '../support/usage.js';
import { BODY, checkSample, CONNECTIONS, countEnqueued, failures, load } from './create.js';

const FIRST_WARMUP_SECONDS = 3;
const WARMUP_SECONDS = 1;
const SECONDS = 4;
const ROUNDS = 5;
/** Replaced by the load generator with a key of each request's own. */
const KEY = '@KEY@';
const KEYED =
  'mutation Create($key: String!) { createSleepTask(input: { duration: 5 }, options: { idempotencyKey: $key }) { id state } }';

interface Mode {
  key: 'plain' | 'keyed' | 'replay';
  label: string;
  body: string;
  /** Whether every request answered creates a task (a replay creates only the first). */
  creates: boolean;
}

const modes: Mode[] = [
  { key: 'plain', label: "createSleepTask without a key (the create suite's)", body: BODY, creates: true },
  {
    key: 'keyed',
    label: 'createSleepTask with a new idempotency key each',
    body: JSON.stringify({ query: KEYED, variables: { key: KEY } }),
    creates: true,
  },
  {
    key: 'replay',
    label: 'createSleepTask with one key again (a replay)',
    body: JSON.stringify({ query: KEYED, variables: { key: randomUUID() } }),
    creates: false,
  },
];

interface Measured {
  perSecond: number;
  /** The API process's CPU time per mutation answered, warm-up included, in microseconds. */
  cpuPerMutation: number;
}

/** Idempotency keys kept under the prefix. */
async function countKeys(prefix: string): Promise<number> {
  const redis = new Redis(redisUrl);
  let [cursor, count] = ['0', 0];
  try {
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', createKeys(prefix).idempotency('*'), 'COUNT', 1000);
      count += keys.length;
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
  return count;
}

/**
 * One load run: every answer checked (a task, QUEUED), then the tasks, jobs and keys it left
 * counted against what it answered, then the prefix's keys deleted, as the create suite does.
 */
async function measure(
  mode: Mode,
  api: RunningService,
  { warmupSeconds, seconds, counted = true }: { warmupSeconds: number; seconds: number; counted?: boolean },
  log: (line: string) => void,
): Promise<Measured> {
  const pid = api.apiPids[0]!;
  const cpuBefore = processCpuMicros(pid);
  const { warmup, measured } = await load({
    url: `${api.urls[0]}/graphql`,
    body: mode.body,
    connections: CONNECTIONS,
    warmupSeconds,
    seconds,
    uniqueKey: KEY,
  });
  // Requests cut off when a run ends may still be enqueued: let the server finish them.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const answered = warmup.ok + measured.ok;
  const cpuPerMutation = (processCpuMicros(pid) - cpuBefore) / answered;
  const { jobs, records } = await countEnqueued(api.prefix);
  const keys = await countKeys(api.prefix);
  const perSecond = measured.ok / measured.duration;
  log(
    `${mode.key}${counted ? '' : ' (first load, not counted)'}: ${perSecond.toFixed(0)} mutations/s, ` +
      `p50 ${measured.p50} ms, p99 ${measured.p99} ms, ${cpuPerMutation.toFixed(0)} µs of API CPU per mutation; ` +
      `${answered} answered, ${records} records, ${jobs} jobs, ${keys} idempotency keys; ` +
      `failures ${failures(measured)} (warm-up: ${failures(warmup)})`,
  );
  if (failures(warmup) + failures(measured) > 0) throw new Error(`${mode.key}: failed requests under load`);
  // Up to one request per connection may be sent but unanswered when a run stops.
  const slack = 2 * CONNECTIONS;
  const expected = mode.creates ? answered : 1;
  const expectedKeys = mode.key === 'plain' ? 0 : expected;
  const within = (count: number, least: number) => count >= least && count <= least + (mode.creates ? slack : 0);
  if (!within(records, expected) || !within(jobs, expected) || !within(keys, expectedKeys)) {
    throw new Error(`${mode.key}: answered ${answered} but holds ${records} records, ${jobs} jobs, ${keys} keys`);
  }
  await clean(api.prefix);
  return { perSecond, cpuPerMutation };
}

export const idempotentSuite: Suite = {
  name: 'idempotent',
  description:
    "createSleepTask mutations over HTTP under the create suite's load (its load generator, " +
    `${CONNECTIONS} keep-alive connections, every answer checked), three kinds in turns on one API process with ` +
    'no worker: without a key (the baseline), with an idempotency key of its own each (a random UUID, in the ' +
    'variables), and the same key again (replays: the first creates, the rest answer that task). The load ' +
    'generator builds every request anew in all three, so that it costs the same. Each first takes ' +
    `${FIRST_WARMUP_SECONDS} s of load that is not measured, then ${ROUNDS} rounds, each run ${SECONDS} s after a ` +
    `${WARMUP_SECONDS} s warm-up, the records, jobs and keys counted and deleted after it. Each value is the ` +
    "median of its rounds, each ratio the median of the rounds' own ratios. The goal: a create with a key costs " +
    'the API at most 1.2 times a plain one (and so its rate at least 1 / 1.2). Lower is better for CPU times, ' +
    'higher for rates.',
  async run(log) {
    const api = await startService({ apis: 1 });
    const rounds = new Map<Mode['key'], Measured[]>(modes.map((mode) => [mode.key, []]));
    try {
      for (const mode of modes) {
        await checkSample(api.urls[0]!, mode.body.replace(KEY, randomUUID()));
        await clean(api.prefix);
        await measure(mode, api, { warmupSeconds: 0, seconds: FIRST_WARMUP_SECONDS, counted: false }, log);
      }
      for (let round = 0; round < ROUNDS; round++) {
        // Each round starts with the next kind, so that none is always measured first or last.
        const order = [...modes.slice(round % modes.length), ...modes.slice(0, round % modes.length)];
        for (const mode of order) {
          rounds
            .get(mode.key)!
            .push(await measure(mode, api, { warmupSeconds: WARMUP_SECONDS, seconds: SECONDS }, log));
        }
      }
    } finally {
      await api.stop();
    }
    const middle = (key: Mode['key'], field: keyof Measured) => median(rounds.get(key)!.map((run) => run[field]));
    const paired = (key: Mode['key'], field: keyof Measured) => {
      const baseline = rounds.get('plain')!;
      return median(rounds.get(key)!.map((run, round) => run[field] / baseline[round]![field]));
    };
    const plain = modes[0]!.label;
    const figure = (key: Mode['key'], field: keyof Measured, what: string, goal: string | null): Figure => ({
      figure: what,
      unit: field === 'perSecond' ? 'req/s' : 'µs',
      value: middle(key, field),
      baseline: plain,
      baselineValue: middle('plain', field),
      goal,
      pairedRatio: paired(key, field),
    });
    return [
      figure('keyed', 'cpuPerMutation', 'API CPU time per create, a new idempotency key each', '<= 1.2'),
      figure('keyed', 'perSecond', 'creates/s, a new idempotency key each', '>= 0.83'),
      figure('replay', 'cpuPerMutation', 'API CPU time per replay (a known key again)', null),
      figure('replay', 'perSecond', 'replays/s (a known key again)', null),
    ];
  },
};
