import type { z } from 'zod';
import type { Logger } from './logger.js';

/**
 * What a task kind is: one file of `tasks/` whose default export is `defineTask({...})`. Everything
 * else derives from it: the GraphQL types and mutations, the worker's run, the command line's
 * arguments, the dashboard's forms and the playground's examples. This file is what
 * `import { defineTask } from 'task-service'` reads, so it imports nothing that runs.
 */

/** How long a run may take, and what set it: the task's timeoutSeconds, the kind's maxSeconds or the worker's limit. */
export interface TimeLimit {
  seconds: number;
  setBy: 'task' | 'kind' | 'worker';
}

/** The reason a run's signal carries when it reaches its time limit. */
export class TaskTimeoutError extends Error {
  constructor(readonly limit: TimeLimit) {
    super(`the task reached ${describeTimeLimit(limit)}`);
  }
}

/** "its time limit of 5 s (timeoutSeconds)", the kind's or the worker's, with what sets it. */
export function describeTimeLimit({ seconds, setBy }: TimeLimit): string {
  if (setBy === 'task') return `its time limit of ${seconds} s (timeoutSeconds)`;
  if (setBy === 'kind') return `its kind's time limit of ${seconds} s (maxSeconds)`;
  return `the worker's max timeout of ${seconds} s (WORKER_MAX_TIMEOUT)`;
}

export type TaskLogLevel = 'info' | 'warn' | 'error';

/** What a run is given besides its input. */
export interface TaskContext<Progress = never> {
  /**
   * Records step `current` of the task's total (the kind's `steps`) and publishes it to every
   * watcher, with `detail` when the kind declares `progress`. Throws when the run must stop
   * (cancelled, deleted, out of time): let it end the run.
   */
  progress(current: number, detail?: Progress): Promise<void>;
  /**
   * Writes a line in the task's log, which its clients read (a few lines a run: its steps are in
   * its timeline already). Never throws: a line that cannot be written is dropped.
   */
  log(message: string, level?: TaskLogLevel): void;
  /** Aborted when the task is cancelled or deleted, reaches its time limit, or the worker stops. */
  signal: AbortSignal;
  /** This run's number: 1, then 2 and on after a retry or a worker crash. */
  attempt: number;
  /** How long this run may take. */
  timeLimit: TimeLimit;
  /** The worker's logger, with the task's id and kind. */
  logger: Logger;
}

/** An object schema: the input, result and progress of a kind are objects, as GraphQL's types are. */
export type ObjectSchema = z.ZodObject;

/**
 * Names and descriptions the GraphQL API had before it derived them, kept so that its schema only
 * grows. A new kind needs none of this: its names and descriptions derive from `name` and `.describe()`.
 */
export interface GraphQLOverrides {
  /** Type names by their place in the definition: `result`, `input.operation`, `progress.stage`. */
  typeNames?: Readonly<Record<string, string>>;
  /** Descriptions by schema coordinate (`SleepTask.duration`, `CalculationOperation.SUM`, `CreateSleepTaskInput`). */
  descriptions?: Readonly<Record<string, string>>;
}

export interface TaskDefinition<
  Name extends string = string,
  Input extends ObjectSchema = ObjectSchema,
  Result extends ObjectSchema = ObjectSchema,
  Progress extends ObjectSchema = ObjectSchema,
> {
  /** snake_case, unique in the service: the kind as jobs, records, metrics and `createTask` name it. */
  name: Name;
  /** One sentence: the GraphQL type's description, the dashboard's and the command line's help. */
  description: string;
  /** Checked by the API before it creates anything, and by the worker before it runs. */
  input: Input;
  result: Result;
  /** The shape of the detail a step may carry (`context.progress(current, detail)`). */
  progress?: Progress;
  /** The steps a run reports, as the task's `total`. */
  steps(input: z.output<Input>): number;
  /** The longest a run may take, in seconds, in place of the worker's WORKER_MAX_TIMEOUT. */
  maxSeconds?: number;
  /** `thread` runs it in a worker thread, for CPU-bound work that would stall the other runs. */
  isolation?: 'inline' | 'thread';
  /** Runs that may fail before the task does, and the wait before the next (doubling each time). */
  retry?: { attempts: number; backoffMs: number };
  /**
   * For a kind that ends within milliseconds, reports no steps and never looks at its signal: the
   * worker runs it first and records its start and end in one script afterwards.
   */
  instant?: boolean;
  graphql?: GraphQLOverrides;
  /** The work. Runs only in workers: load heavy modules inside it, not at the file's top. */
  run(input: z.output<Input>, context: TaskContext<z.output<Progress>>): Promise<z.input<Result>>;
}

/** Marks a definition, so that the loader can tell one from any other default export. */
const DEFINITION = Symbol.for('task-service.task-definition');

/** A kind of any shape, as the service handles them together. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a run's input type is its own kind's business
export type AnyTaskDefinition = TaskDefinition<string, ObjectSchema, ObjectSchema, ObjectSchema> & { run: any };

/** The input a kind's run takes, as its schema parses it. */
export type InputOf<Kind extends AnyTaskDefinition> = z.output<Kind['input']>;

export function defineTask<
  const Name extends string,
  Input extends ObjectSchema,
  Result extends ObjectSchema,
  Progress extends ObjectSchema = z.ZodObject<Record<string, never>>,
>(definition: TaskDefinition<Name, Input, Result, Progress>): TaskDefinition<Name, Input, Result, Progress> {
  return Object.freeze({ ...definition, [DEFINITION]: true });
}

export function isTaskDefinition(value: unknown): value is AnyTaskDefinition {
  return typeof value === 'object' && value !== null && DEFINITION in value;
}
