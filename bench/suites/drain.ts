import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { calculationTask } from '../../core/task-kinds/index.js';
import { benchPrefix, clean, nodeArgs, redisUrl, root, startService, stopProcess } from '../support/service.js';
import { median, type Suite } from '../support/suite.js';
import { createTaskBench, type TaskBench } from '../support/tasks.js';

const TASKS = 10_000;
const CONCURRENCY = 100; // the service's default WORKER_CONCURRENCY
const ROUNDS = 3;

/** Resumes the paused queue and answers jobs per second until it is empty. */
async function drain(bench: TaskBench): Promise<number> {
  const started = performance.now();
  await bench.queue.resume();
  for (;;) {
    const counts = await bench.queue.getJobCounts('wait', 'active', 'prioritized', 'delayed');
    if (Object.values(counts).every((count) => count === 0)) break;
    await sleep(20);
  }
  return TASKS / ((performance.now() - started) / 1000);
}

/** Ours: a record and a job per task, the worker's scripts per run. */
async function drainService(log: (line: string) => void): Promise<number> {
  const numbers = Array.from({ length: 10 }, (_, i) => i + 1);
  const service = await startService({ apis: 0, workers: 1, env: { WORKER_CONCURRENCY: String(CONCURRENCY) } });
  const ours = createTaskBench(service.prefix);
  try {
    await ours.queue.pause();
    await ours.enqueue(
      calculationTask,
      Array.from({ length: TASKS }, () => ({ numbers, operation: 'SUM' as const })),
    );
    while ((await ours.redis.zcard(ours.keys.workers)) === 0) await sleep(100);
    const rate = await drain(ours);
    const completed = await ours.redis.zcard(ours.keys.index({ state: 'COMPLETED' }));
    log(`service: ${rate.toFixed(0)} tasks/s, ${completed} COMPLETED records`);
    if (completed !== TASKS) throw new Error(`only ${completed} of ${TASKS} tasks completed`);
    return rate;
  } finally {
    await ours.close();
    await service.stop();
  }
}

/** The baseline: plain jobs, a worker that does nothing. */
async function drainRawBullmq(log: (line: string) => void): Promise<number> {
  const numbers = Array.from({ length: 10 }, (_, i) => i + 1);
  const prefix = benchPrefix();
  const raw = createTaskBench(prefix);
  const worker = spawn(
    process.execPath,
    [...nodeArgs('bench/peers/raw-bullmq-worker.ts'), redisUrl, prefix, String(CONCURRENCY)],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await once(worker.stdout!, 'data');
    await raw.queue.pause();
    for (let i = 0; i < TASKS; i += 1000) {
      await raw.queue.addBulk(
        Array.from({ length: Math.min(1000, TASKS - i) }, () => ({
          name: 'calculation_task',
          data: { numbers, operation: 'SUM' },
        })),
      );
    }
    const rate = await drain(raw);
    log(`raw BullMQ: ${rate.toFixed(0)} jobs/s`);
    return rate;
  } finally {
    await stopProcess(worker);
    await raw.close();
    await clean(prefix);
  }
}

export const drainSuite: Suite = {
  name: 'drain',
  description:
    `${TASKS} calculation tasks enqueued at once (queue paused), then drained by one worker process at ` +
    `concurrency ${CONCURRENCY}: tasks completed per second through the worker and the progress bridge ` +
    "(the record's start and end and their events). Baseline: a raw BullMQ worker doing nothing with the same " +
    `number of plain jobs and the same concurrency. ${ROUNDS} rounds, the two taking turns; the medians ` +
    'count (one drain lasts only seconds, and Redis shares this machine with everything else). Higher is better.',
  async run(log) {
    const ours: number[] = [];
    const raw: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      ours.push(await drainService(log));
      raw.push(await drainRawBullmq(log));
    }
    return [
      {
        figure: `calculation tasks completed per second (median of ${ROUNDS})`,
        unit: '/s',
        value: median(ours),
        baseline: 'raw BullMQ worker doing nothing',
        baselineValue: median(raw),
        goal: '>= 0.8',
      },
    ];
  },
};
