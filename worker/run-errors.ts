import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../core/logger.js';
import type { TaskContext } from '../core/task-definition.js';

/** Nothing aborts an instant run: it has ended before anything could. */
const neverAborted = new AbortController().signal;

/** The context of an instant kind's run (TaskDefinition.instant): no steps, no signal to watch. */
export function instantRunContext(
  maxTimeoutSeconds: number,
  attempt: number,
  log: TaskContext<unknown>['log'],
  logger: Logger,
): TaskContext<unknown> {
  return {
    signal: neverAborted,
    attempt,
    timeLimit: { seconds: maxTimeoutSeconds, setBy: 'worker' },
    log,
    logger,
    progress() {
      return Promise.reject(new Error('an instant task kind reports no steps'));
    },
  };
}

/** Abort reasons: each one ends a run in a different state (the time limit's is TaskTimeoutError). */
export class TaskCancelledError extends Error {
  constructor() {
    super('the task was cancelled');
  }
}

export class WorkerShutdownError extends Error {
  constructor() {
    super('the worker stopped before the task finished');
  }
}

/**
 * What BullMQ's `cancelJob` and `cancelAllJobs` abort a job's processor signal with (BullMQ takes a
 * string): which of the errors above ends the run.
 */
export const CANCEL_REASON = 'task cancelled';
export const HAND_BACK_REASON = 'worker stopping';

/** Why a run's signal was aborted, as the error that ends the run in its state; null when it was not. */
export function abortCause(signal: AbortSignal): unknown {
  if (!signal.aborted) return null;
  const reason: unknown = signal.reason;
  if (reason === CANCEL_REASON) return new TaskCancelledError();
  if (reason === HAND_BACK_REASON) return new WorkerShutdownError();
  return reason;
}

/**
 * Fails a job that ran nothing, with the reason BullMQ keeps and Bull Board shows: a job that is no
 * task's, whose task is gone, or that was cancelled. Not a failure of the task: it is not retried,
 * nor counted or traced as one.
 */
export class JobSkippedError extends UnrecoverableError {}
