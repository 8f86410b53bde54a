import { setTimeout as sleep } from 'node:timers/promises';
import { sleepTask } from '../../core/task-kinds/index.js';
import { defineProcessor, describeTimeLimit, TaskTimeoutError } from './task-processor.js';

const SECOND = 1_000; // milliseconds

/**
 * Sleeps one second at a time and reports each (its log gets a line at the start and at the end,
 * its steps being in its timeline). The waits are timers, not busy loops, so one worker
 * process runs hundreds of these at once on one core; each step aims at a whole second from the
 * start, so slow writes do not make the task drift.
 */
export const sleepTaskProcessor = defineProcessor({
  kind: sleepTask,
  async run({ duration }, { signal, reportProgress, timeLimit, log }) {
    const start = performance.now();
    log(`sleeping ${duration} s`);
    try {
      for (let step = 1; step <= duration; step++) {
        await sleep(Math.max(0, start + step * SECOND - performance.now()), undefined, { signal });
        await reportProgress(step, duration);
      }
    } catch (error) {
      if (signal.reason instanceof TaskTimeoutError) {
        throw new Error(`sleep of ${duration} s reached ${describeTimeLimit(timeLimit)}`, { cause: error });
      }
      throw error;
    }
    log(`slept ${duration} s`);
    return { status: 'ok' as const };
  },
});
