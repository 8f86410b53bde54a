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
    `${TASKS} sleep tasks of ${SECONDS} s enqueued at once (queue paused) for one worker process ` +
    `(WORKER_CONCURRENCY ${TASKS}). Wall time runs from resuming the queue to the last completion, so it ` +
    'includes taking up all the tasks; the baseline is the ideal, one task alone. Lower is better; every ' +
    'step must be published.',
  async run(log) {
    const service = await startService({ apis: 0, workers: 1, env: { WORKER_CONCURRENCY: String(TASKS) } });
    const bench = createTaskBench(service.prefix);
    const events = await countEvents(service.prefix);
    try {
      // The worker is up once its record is in the registry.
      while ((await bench.redis.zcard(bench.keys.workers)) === 0) await sleep(100);
      // Enqueued while the queue is paused, so that the figure is the worker's, not how fast this
      // process can enqueue (a third of a second on these machines).
      await bench.queue.pause();
      const enqueueing = performance.now();
      await bench.enqueue(
        sleepTask,
        Array.from({ length: TASKS }, () => ({ duration: SECONDS })),
      );
      log(`enqueued ${TASKS} tasks in ${((performance.now() - enqueueing) / 1000).toFixed(2)} s (queue paused)`);
      const queuedIndex = bench.keys.index({ state: 'QUEUED' });
      const started = performance.now();
      await bench.queue.resume();
      const completed = () => events.counts.byState.get('COMPLETED') ?? 0;
      const deadline = started + (SECONDS * 3 + 30) * 1000;
      let allStarted: number | null = null;
      while (completed() < TASKS && performance.now() < deadline) {
        await sleep(20);
        allStarted ??= (await bench.redis.zcard(queuedIndex)) === 0 ? performance.now() : null;
      }
      const wall = (performance.now() - started) / 1000;
      if (allStarted)
        log(`the last task started ${((allStarted - started) / 1000).toFixed(2)} s after the queue resumed`);
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
