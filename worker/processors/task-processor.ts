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
  run(input: Input, context: RunContext): Promise<Result>;
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
