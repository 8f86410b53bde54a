import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { calculationTask } from '../../core/task-kinds/index.js';
import { benchPrefix, clean, redisUrl, root, startService, stopProcess } from '../support/service.js';
import type { Suite } from '../support/suite.js';
import { createTaskBench, type TaskBench } from '../support/tasks.js';

const TASKS = 10_000;
const CONCURRENCY = 100; // the service's default WORKER_CONCURRENCY

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

export const drainSuite: Suite = {
  name: 'drain',
  description:
    `${TASKS} calculation tasks enqueued at once (queue paused), then drained by one worker process at ` +
    `concurrency ${CONCURRENCY}: tasks completed per second through the worker and the progress bridge ` +
    '(start, finish and their events). Baseline: a raw BullMQ worker doing nothing with the same ' +
    'number of plain jobs and the same concurrency. Higher is better.',
  async run(log) {
    const numbers = Array.from({ length: 10 }, (_, i) => i + 1);

    // Ours: record + job per task, the worker's scripts per run.
    const service = await startService({ apis: 0, workers: 1, env: { WORKER_CONCURRENCY: String(CONCURRENCY) } });
    const ours = createTaskBench(service.prefix);
    let oursRate: number;
    try {
      await ours.queue.pause();
      await ours.enqueue(
        calculationTask,
        Array.from({ length: TASKS }, () => ({ numbers, operation: 'SUM' as const })),
      );
      while ((await ours.redis.zcard(ours.keys.workers)) === 0) await sleep(100);
      oursRate = await drain(ours);
      const completed = await ours.redis.zcard(ours.keys.index({ state: 'COMPLETED' }));
      log(`service: ${oursRate.toFixed(0)} tasks/s, ${completed} COMPLETED records`);
      if (completed !== TASKS) throw new Error(`only ${completed} of ${TASKS} tasks completed`);
    } finally {
      await ours.close();
      await service.stop();
    }

    // Baseline: plain jobs, a worker that does nothing.
    const prefix = benchPrefix();
    const raw = createTaskBench(prefix);
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/peers/raw-bullmq-worker.ts', redisUrl, prefix, String(CONCURRENCY)],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let rawRate: number;
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
      rawRate = await drain(raw);
      log(`raw BullMQ: ${rawRate.toFixed(0)} jobs/s`);
    } finally {
      await stopProcess(worker);
      await raw.close();
      await clean(prefix);
    }

    return [
      {
        figure: 'calculation tasks completed per second',
        unit: '/s',
        value: oursRate,
        baseline: 'raw BullMQ worker doing nothing',
        baselineValue: rawRate,
        goal: '>= 0.8',
      },
    ];
  },
};
