import { setTimeout as sleep } from 'node:timers/promises';
import { sleepTask } from '../../core/task-kinds/index.js';
import { startService } from '../support/service.js';
import type { Suite } from '../support/suite.js';
import { countEvents, createTaskBench } from '../support/tasks.js';

const TASKS = 1_000;
const SECONDS = 10;

/** 1,000 ten-second sleeps in one worker process: timers, not cores, so they should all end near 10 s. */
export const workerSuite: Suite = {
  name: 'worker',
  description:
    `${TASKS} sleep tasks of ${SECONDS} s enqueued at once for one worker process (WORKER_CONCURRENCY ${TASKS}). ` +
    'Wall time runs from the first enqueue to the last completion; the baseline is the ideal, one task ' +
    'alone. Lower is better; every step must be published.',
  async run(log) {
    const service = await startService({ apis: 0, workers: 1, env: { WORKER_CONCURRENCY: String(TASKS) } });
    const bench = createTaskBench(service.prefix);
    const events = await countEvents(service.prefix);
    try {
      // The worker is up once its record is in the registry.
      while ((await bench.redis.zcard(bench.keys.workers)) === 0) await sleep(100);
      const started = performance.now();
      await bench.enqueue(
        sleepTask,
        Array.from({ length: TASKS }, () => ({ duration: SECONDS })),
      );
      log(`enqueued ${TASKS} tasks in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      const completed = () => events.counts.byState.get('COMPLETED') ?? 0;
      const deadline = started + (SECONDS * 3 + 30) * 1000;
      while (completed() < TASKS && performance.now() < deadline) await sleep(20);
      const wall = (performance.now() - started) / 1000;
      await sleep(500); // let the last events in
      const steps = (events.counts.byState.get('ACTIVE') ?? 0) - TASKS; // each start is an ACTIVE event too
      log(`completed ${completed()} of ${TASKS}; ACTIVE events ${steps + TASKS} (${steps} steps)`);
      return [
        {
          figure: `wall time of ${TASKS} x ${SECONDS} s sleeps`,
          unit: 's',
          value: wall,
          baseline: 'ideal',
          baselineValue: SECONDS,
          goal: '<= 1.05',
        },
        {
          figure: 'steps published',
          unit: 'steps',
          value: Math.max(0, steps),
          baseline: 'steps run',
          baselineValue: TASKS * SECONDS,
          goal: '>= 1.0',
        },
      ];
    } finally {
      await events.close();
      await bench.close();
      await service.stop();
    }
  },
};
