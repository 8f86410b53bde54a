import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineTask, describeTimeLimit, TaskTimeoutError } from 'task-service';

const SECOND = 1_000; // milliseconds
export const MAX_SLEEP_SECONDS = 300;

/**
 * Sleeps one second at a time and reports each (its log gets a line at the start and at the end,
 * its steps being in its timeline). The waits are timers, not busy loops, so one worker process
 * runs hundreds of these at once on one core; each step aims at a whole second from the start, so
 * slow writes do not make the task drift.
 */
export default defineTask({
  name: 'sleep_task',
  description: 'Sleeps `duration` seconds, one progress step a second.',
  input: z.object({
    duration: z
      .int({ error: 'duration must be a whole number of seconds' })
      .min(1, { error: 'duration must be at least 1 second' })
      .max(MAX_SLEEP_SECONDS, { error: `duration must be at most ${MAX_SLEEP_SECONDS} seconds` })
      .describe('Seconds to sleep: one progress step each.'),
  }),
  result: z.object({ status: z.literal('ok').describe('Always "ok".') }),
  steps: ({ duration }) => duration,
  // Its longest sleep, and time for its writes.
  maxSeconds: MAX_SLEEP_SECONDS + 30,
  graphql: {
    descriptions: {
      'SleepTask.duration': `Seconds to sleep, 1 to ${MAX_SLEEP_SECONDS}.`,
      'CreateSleepTaskInput.duration': `Seconds to sleep, 1 to ${MAX_SLEEP_SECONDS}: one progress step each.`,
    },
  },
  async run({ duration }, { signal, progress, log, timeLimit }) {
    const start = performance.now();
    log(`sleeping ${duration} s`);
    try {
      for (let step = 1; step <= duration; step++) {
        await sleep(Math.max(0, start + step * SECOND - performance.now()), undefined, { signal });
        await progress(step);
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
