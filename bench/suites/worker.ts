import { setTimeout as sleep } from 'node:timers/promises';
import sleepTask from '../../tasks/sleep.js';
import { startService } from '../support/service.js';
import type { Suite } from '../support/suite.js';
import { countEvents, createTaskBench, type EventCounts, type TaskBench } from '../support/tasks.js';

const TASKS = 1_000;
const SECONDS = 10;

interface Round {
  wall: number;
  steps: number;
}

/**
 * Enqueues the sleeps while the queue is paused, so that the figure is the worker's, not how fast
 * this process can enqueue (a third of a second on these machines), then times from resuming it to
 * the last COMPLETED event.
 */
async function runRound(
  bench: TaskBench,
  events: EventCounts,
  label: string,
  log: (line: string) => void,
): Promise<Round> {
  events.counts.all = 0;
  events.counts.byState.clear();
  await bench.queue.pause();
  await bench.enqueue(
    sleepTask,
    Array.from({ length: TASKS }, () => ({ duration: SECONDS })),
  );
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
  await sleep(500); // let the last events in
  const steps = (events.counts.byState.get('ACTIVE') ?? 0) - TASKS; // each start is an ACTIVE event too
  const lastStart = allStarted ? `${((allStarted - started) / 1000).toFixed(2)} s` : 'never';
  log(
    `${label}: wall ${wall.toFixed(2)} s, the last task started ${lastStart} after the queue resumed; ` +
      `completed ${completed()} of ${TASKS}, ${steps} steps published`,
  );
  return { wall, steps };
}

/** 1,000 ten-second sleeps in one worker process: timers, not cores, so they should all end near 10 s. */
export const workerSuite: Suite = {
  name: 'worker',
  description:
    `${TASKS} sleep tasks of ${SECONDS} s enqueued at once (queue paused) for one worker process ` +
    `(WORKER_CONCURRENCY ${TASKS}), twice: first in the worker just started, then again in the same ` +
    'worker, as a worker that has been running meets them (the first round runs the hot paths before ' +
    "V8 has compiled them: taking up the tasks costs the worker about twice the CPU). The goal is the second round's. " +
    'Wall time runs from resuming the queue to the last completion, so it includes taking up all the ' +
    'tasks; the baseline is the ideal, one task alone. Lower is better; every step must be published.',
  async run(log) {
    const service = await startService({ apis: 0, workers: 1, env: { WORKER_CONCURRENCY: String(TASKS) } });
    const bench = createTaskBench(service.prefix);
    const events = await countEvents(service.prefix);
    try {
      // The worker is up once its record is in the registry.
      while ((await bench.redis.zcard(bench.keys.workers)) === 0) await sleep(100);
      const cold = await runRound(bench, events, 'worker just started', log);
      const warm = await runRound(bench, events, 'same worker again', log);
      return [
        {
          figure: `wall time of ${TASKS} x ${SECONDS} s sleeps, worker just started`,
          unit: 's',
          value: cold.wall,
          baseline: 'ideal',
          baselineValue: SECONDS,
          goal: null,
        },
        {
          figure: `wall time of ${TASKS} x ${SECONDS} s sleeps, running worker`,
          unit: 's',
          value: warm.wall,
          baseline: 'ideal',
          baselineValue: SECONDS,
          goal: '<= 1.05',
        },
        {
          figure: 'steps published (both rounds)',
          unit: 'steps',
          value: Math.max(0, cold.steps) + Math.max(0, warm.steps),
          baseline: 'steps run',
          baselineValue: 2 * TASKS * SECONDS,
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
