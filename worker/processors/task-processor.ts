import type { Logger } from '../../core/logger.js';
import type { TaskKind } from '../../core/task-kinds/index.js';

export interface RunContext {
  /** Aborted when the task is cancelled or deleted, reaches the max timeout, or the worker stops. */
  signal: AbortSignal;
  /** Records a step and publishes it; throws when the run must stop. */
  reportProgress(current: number, total: number): Promise<void>;
  maxTimeoutSeconds: number;
  logger: Logger;
}

export interface TaskProcessor<Input = unknown, Result = unknown> {
  kind: TaskKind<Input, Result>;
  /**
   * For a kind that ends within milliseconds, reports no steps and never looks at its signal. The
   * worker then runs it first and records its start and its end in one script afterwards: one
   * round trip instead of two, with the same two events in the same order.
   */
  instant?: boolean;
  run(input: Input, context: RunContext): Promise<Result>;
}

/** Nothing aborts an instant run: it has ended before anything could. */
const neverAborted = new AbortController().signal;

export function instantRunContext(maxTimeoutSeconds: number, logger: Logger): RunContext {
  return {
    signal: neverAborted,
    maxTimeoutSeconds,
    logger,
    reportProgress() {
      return Promise.reject(new Error('an instant task kind reports no steps'));
    },
  };
}

export function defineProcessor<Input, Result>(processor: TaskProcessor<Input, Result>): TaskProcessor {
  return processor as unknown as TaskProcessor;
}

/** Abort reasons: each one ends a run in a different state. */
export class TaskCancelledError extends Error {
  constructor() {
    super('the task was cancelled');
  }
}

export class TaskTimeoutError extends Error {
  constructor(readonly maxTimeoutSeconds: number) {
    super(`the task reached the worker's max timeout of ${maxTimeoutSeconds} s`);
  }
}

export class WorkerShutdownError extends Error {
  constructor() {
    super('the worker stopped before the task finished');
  }
}
