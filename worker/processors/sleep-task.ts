import { setTimeout as sleep } from 'node:timers/promises';
import { sleepTask } from '../../core/task-kinds/index.js';
import { defineProcessor, TaskTimeoutError } from './task-processor.js';

const SECOND = 1_000; // milliseconds

/**
 * Sleeps one second at a time and reports each. The waits are timers, not busy loops, so one worker
 * process runs hundreds of these at once on one core; each step aims at a whole second from the
 * start, so slow writes do not make the task drift.
 */
export const sleepTaskProcessor = defineProcessor({
  kind: sleepTask,
  async run({ duration }, { signal, reportProgress, maxTimeoutSeconds }) {
    const start = performance.now();
    try {
      for (let step = 1; step <= duration; step++) {
        await sleep(Math.max(0, start + step * SECOND - performance.now()), undefined, { signal });
        await reportProgress(step, duration);
      }
    } catch (error) {
      if (signal.reason instanceof TaskTimeoutError) {
        throw new Error(
          `sleep of ${duration} s reached the worker's max timeout of ${maxTimeoutSeconds} s (WORKER_MAX_TIMEOUT)`,
          { cause: error },
        );
      }
      throw error;
    }
    return { status: 'ok' as const };
  },
});
