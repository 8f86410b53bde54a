import { z } from 'zod';
import { defineTaskKind } from './task-kind.js';

const MIN_SLEEP_SECONDS = 1;
export const MAX_SLEEP_SECONDS = 300;

export const sleepTaskInput = z.object({
  duration: z
    .int({ error: 'duration must be a whole number of seconds' })
    .min(MIN_SLEEP_SECONDS, { error: `duration must be at least ${MIN_SLEEP_SECONDS} second` })
    .max(MAX_SLEEP_SECONDS, { error: `duration must be at most ${MAX_SLEEP_SECONDS} seconds` }),
});

const sleepTaskResult = z.object({ status: z.literal('ok') });

export type SleepTaskInput = z.infer<typeof sleepTaskInput>;

/** Sleeps `duration` seconds, reporting one step per second. */
export const sleepTask = defineTaskKind({
  name: 'sleep_task',
  input: sleepTaskInput,
  result: sleepTaskResult,
  totalSteps: ({ duration }) => duration,
});
