import { setTimeout as sleep } from 'node:timers/promises';
import calculationTask from '../../tasks/calculation.js';
import { processCpuMicros, redisCpuMicros } from '../support/usage.js';
import { addPlainJobs, startRawWorker, type RawMode } from '../support/raw-worker.js';
import { CELERY_INSTALL, celeryInstalled, drainCelery } from '../support/celery-peer.js';
import { benchPrefix, clean, startService } from '../support/service.js';
import { median, type Figure, type Suite } from '../support/suite.js';
import { createTaskBench, type TaskBench } from '../support/tasks.js';

const TASKS = 10_000;
const CONCURRENCY = 100; // the service's default WORKER_CONCURRENCY
const ROUNDS = 3;
const numbers = Array.from({ length: 10 }, (_, i) => i + 1);
const inputs = () => Array.from({ length: TASKS }, () => ({ numbers, operation: 'SUM' as const }));

interface Drain {
  /** Tasks completed per second. */
  rate: number;
  /** CPU time per task, in microseconds, of the Redis server and of the worker process. */
  redisCpu: number;
  workerCpu: number;
}

/** Resumes the paused queue and measures until it is empty. */
async function drain(bench: TaskBench, workerPid: number): Promise<Drain> {
  const redisBefore = await redisCpuMicros(bench.redis);
  const workerBefore = processCpuMicros(workerPid);
  const started = performance.now();
  await bench.queue.resume();
  for (;;) {
    const counts = await bench.queue.getJobCounts('wait', 'active', 'prioritized', 'delayed');
    if (Object.values(counts).every((count) => count === 0)) break;
    await sleep(20);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    rate: TASKS / seconds,
    redisCpu: ((await redisCpuMicros(bench.redis)) - redisBefore) / TASKS,
    workerCpu: (processCpuMicros(workerPid) - workerBefore) / TASKS,
  };
}

const drainSummary = (result: Drain) =>
  `${result.rate.toFixed(0)} tasks/s; CPU per task: Redis ${result.redisCpu.toFixed(0)} µs, ` +
  `worker ${result.workerCpu.toFixed(0)} µs`;

async function expectCompleted(bench: TaskBench): Promise<void> {
  const completed = await bench.redis.zcard(bench.keys.index({ state: 'COMPLETED' }));
  if (completed !== TASKS) throw new Error(`only ${completed} of ${TASKS} tasks completed`);
}

/** Ours: a record and a job per task, the service's worker process. */
async function drainService(log: (line: string) => void): Promise<Drain> {
  const service = await startService({ apis: 0, workers: 1, env: { WORKER_CONCURRENCY: String(CONCURRENCY) } });
  const ours = createTaskBench(service.prefix);
  try {
    await ours.queue.pause();
    await ours.enqueue(calculationTask, inputs());
    while ((await ours.redis.zcard(ours.keys.workers)) === 0) await sleep(100);
    const result = await drain(ours, service.workerPids[0]!);
    await expectCompleted(ours);
    log(`service: ${drainSummary(result)}`);
    return result;
  } finally {
    await ours.close();
    await service.stop();
  }
}

const rawModes: Record<RawMode, string> = {
  nothing: 'doing nothing',
  'round-trip': 'making one more Redis call per job (an empty script)',
  records: "recording the tasks with the service's script",
  'records-and-log': "recording the tasks and each one's log line with the service's scripts",
};

/**
 * The baselines: a bare BullMQ worker process (bench/peers/raw-bullmq-worker.ts); for those that
 * record, the tasks are enqueued as the service enqueues them, records first.
 */
async function drainRawBullmq(mode: RawMode, log: (line: string) => void): Promise<Drain> {
  const prefix = benchPrefix();
  const raw = createTaskBench(prefix);
  const worker = await startRawWorker(prefix, CONCURRENCY, mode);
  try {
    await raw.queue.pause();
    const records = mode === 'records' || mode === 'records-and-log';
    if (records) await raw.enqueue(calculationTask, inputs());
    else await addPlainJobs(raw, inputs());
    const result = await drain(raw, worker.pid);
    if (records) await expectCompleted(raw);
    log(`raw BullMQ worker ${rawModes[mode]}: ${drainSummary(result)}`);
    return result;
  } finally {
    await worker.stop();
    await raw.close();
    await clean(prefix);
  }
}

export const drainSuite: Suite = {
  name: 'drain',
  description:
    `${TASKS} calculation tasks enqueued at once (queue paused), then drained by one worker process at ` +
    `concurrency ${CONCURRENCY}: tasks completed per second through the worker and the progress bridge ` +
    "(the record's start and end and their events). The goal's baseline: a raw BullMQ worker recording the same " +
    "tasks with the service's own script and nothing else of the service (the work the contract asks of every " +
    "task: what the service's worker code costs over it). Reported beside it: the same raw worker doing nothing " +
    'with plain jobs, and making one more Redis call per job that does nothing (the most any worker that records ' +
    'its tasks in Redis could reach), and recording the tasks and the log line the calculation writes (one more ' +
    "script call per task, which the service's worker makes too); and the CPU time per task of Redis " +
    'and of the worker process (on a 2-core machine they share the cores, so their sum bounds the rate). ' +
    `${ROUNDS} rounds, the five taking turns; the medians count. Higher is better for rates, lower for CPU times. ` +
    "Last, the peer its users come from: the FastAPI + Celery + Redis demo's Celery with the demo's settings " +
    '(Redis broker and result backend, JSON, result_extended, task_track_started), a prefork pool of 2 processes ' +
    `(the demo's compose) and of 4, draining the same ${TASKS} sums once each; skipped with a line saying so when ` +
    `Python has no Celery (\`${CELERY_INSTALL}\`).`,
  async run(log) {
    const ours: Drain[] = [];
    const raw: Record<RawMode, Drain[]> = { nothing: [], 'round-trip': [], records: [], 'records-and-log': [] };
    for (let round = 1; round <= ROUNDS; round++) {
      ours.push(await drainService(log));
      for (const mode of Object.keys(raw) as RawMode[]) raw[mode].push(await drainRawBullmq(mode, log));
    }
    const middle = (drains: Drain[], field: keyof Drain) => median(drains.map((round) => round[field]));
    const rate = `calculation tasks completed per second (median of ${ROUNDS})`;
    const cpu = (field: 'redisCpu' | 'workerCpu', what: string, goal: string): Figure => ({
      figure: `${what} CPU time per task (median of ${ROUNDS})`,
      unit: 'µs',
      value: middle(ours, field),
      baseline: `raw BullMQ worker ${rawModes.nothing}`,
      baselineValue: middle(raw.nothing, field),
      goal,
    });
    const rateAgainst = (mode: RawMode, goal: string | null): Figure => ({
      figure: rate,
      unit: '/s',
      value: middle(ours, 'rate'),
      baseline: `raw BullMQ worker ${rawModes[mode]}`,
      baselineValue: middle(raw[mode], 'rate'),
      goal,
    });
    return [
      rateAgainst('records', '>= 0.95'),
      rateAgainst('nothing', null),
      rateAgainst('round-trip', null),
      rateAgainst('records-and-log', null),
      cpu('redisCpu', 'Redis', '<= 2'),
      cpu('workerCpu', 'worker process', '<= 1.5'),
      ...(await againstCelery(middle(ours, 'rate'), middle(ours, 'redisCpu'), log)),
    ];
  },
};

/** The service's median drain against Celery's, at each pool size; none when Celery is not installed. */
async function againstCelery(rate: number, redisCpu: number, log: (line: string) => void): Promise<Figure[]> {
  if (!(await celeryInstalled())) {
    log(`Celery peer skipped: python3 has no celery and redis modules (\`${CELERY_INSTALL}\`)`);
    return [];
  }
  const figures: Figure[] = [];
  for (const processes of [2, 4]) {
    const celery = await drainCelery(TASKS, processes);
    const peer = `Celery, prefork pool of ${processes}`;
    log(`${peer}: ${celery.rate.toFixed(0)} tasks/s; Redis CPU per task ${celery.redisCpu.toFixed(0)} µs`);
    figures.push(
      {
        figure: `calculation tasks completed per second (median of ${ROUNDS})`,
        unit: '/s',
        value: rate,
        baseline: peer,
        baselineValue: celery.rate,
        goal: null,
      },
      {
        figure: `Redis CPU time per task (median of ${ROUNDS})`,
        unit: 'µs',
        value: redisCpu,
        baseline: peer,
        baselineValue: celery.redisCpu,
        goal: null,
      },
    );
  }
  return figures;
}
