import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../../core/logger.js';
import type { TaskKind } from '../../core/task-kinds/index.js';

/** How long a run may take: the task's own limit (timeoutSeconds), or the worker's when lower or unset. */
export interface TimeLimit {
  seconds: number;
  setBy: 'task' | 'worker';
}

export type TaskLogLevel = 'info' | 'warn' | 'error';

export interface RunContext {
  /** Aborted when the task is cancelled or deleted, reaches its time limit, or the worker stops. */
  signal: AbortSignal;
  /** Records a step and publishes it; throws when the run must stop. */
  reportProgress(current: number, total: number): Promise<void>;
  /** The worker's limit (WORKER_MAX_TIMEOUT). */
  maxTimeoutSeconds: number;
  /** This run's limit: the task's own, or the worker's. */
  timeLimit: TimeLimit;
  /**
   * Writes a line in the task's log, which its clients read (a few lines a run: its steps are in
   * its timeline already). Never throws: a line that cannot be written is dropped.
   */
  log(message: string, level?: TaskLogLevel): void;
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

export function instantRunContext(maxTimeoutSeconds: number, log: RunContext['log'], logger: Logger): RunContext {
  return {
    signal: neverAborted,
    maxTimeoutSeconds,
    timeLimit: { seconds: maxTimeoutSeconds, setBy: 'worker' },
    log,
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
  constructor(readonly limit: TimeLimit) {
    super(`the task reached ${describeTimeLimit(limit)}`);
  }
}

/** "its time limit of 5 s (timeoutSeconds)", or the worker's max timeout and its variable. */
export function describeTimeLimit({ seconds, setBy }: TimeLimit): string {
  return setBy === 'task'
    ? `its time limit of ${seconds} s (timeoutSeconds)`
    : `the worker's max timeout of ${seconds} s (WORKER_MAX_TIMEOUT)`;
}

export class WorkerShutdownError extends Error {
  constructor() {
    super('the worker stopped before the task finished');
  }
}

/**
 * Fails a job that ran nothing, with the reason BullMQ keeps and Bull Board shows: a job that is no
 * task's, whose task is gone, or that was cancelled. Not a failure of the task: it is not retried,
 * nor counted or traced as one.
 */
export class JobSkippedError extends UnrecoverableError {}
