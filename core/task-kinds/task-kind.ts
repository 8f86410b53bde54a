import type { z } from 'zod';

/**
 * What both sides know of a kind of task: its name, how its input is checked (by the API before it
 * enqueues, and by the worker again when it takes the job) and the shape of its result.
 */
export interface TaskKind<Input = unknown, Result = unknown> {
  name: string;
  input: z.ZodType<Input>;
  result: z.ZodType<Result>;
  /** The steps a run reports as `total` (seconds for a sleep). */
  totalSteps(input: Input): number;
  /** Runs that may fail before the task does, and the wait before the next (doubling each time). */
  retry?: { attempts: number; backoffMs: number };
}

export function defineTaskKind<const Name extends string, Input, Result>(
  kind: TaskKind<Input, Result> & { name: Name },
): TaskKind<Input, Result> & { name: Name } {
  return kind;
}
