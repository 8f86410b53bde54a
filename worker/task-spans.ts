import { DelayedError, type Job } from 'bullmq';
import { inSpan } from '../core/tracing.js';
import { JobSkippedError, TaskCancelledError, WorkerShutdownError } from './run-errors.js';

/** What an attempt tells its span. */
export interface AttemptSpan {
  /** The failure the attempt ended in, as the task's record names it. */
  failed(cause: unknown): void;
}

const attributesOf = (job: Job) => ({
  'task.id': job.id ?? '',
  'task.kind': job.name,
  'task.attempt': job.attemptsMade + 1,
});

/**
 * One attempt at a task, as a span under BullMQ's `process` of its job, and so in the trace of the
 * request that created the task. Its failure is the one the attempt names (`failed`), or else
 * what it threw; a hand-back to the queue (BullMQ's DelayedError) is none, nor is a cancel or a
 * job that ran nothing.
 */
export function inAttemptSpan<T>(job: Job, attempt: (span: AttemptSpan) => Promise<T>): Promise<T> {
  let named: { cause: unknown } | null = null;
  return inSpan(
    `attempt ${job.name}`,
    {
      attributes: attributesOf(job),
      failure: (error) =>
        error instanceof DelayedError || error instanceof JobSkippedError ? undefined : named ? named.cause : error,
    },
    () =>
      attempt({
        failed(cause) {
          named = { cause };
        },
      }),
  );
}

/**
 * The kind's own work within an attempt (the sleep, the calculation), as a span. What it threw is
 * its failure, unless it was stopped by a cancel or a hand-back; a bare abort is named by its
 * reason (the max timeout).
 */
export function inRunSpan<T>(job: Job, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  return inSpan(
    `run ${job.name}`,
    {
      attributes: attributesOf(job),
      failure(error) {
        const reason: unknown = signal.aborted ? signal.reason : undefined;
        if (reason instanceof TaskCancelledError || reason instanceof WorkerShutdownError) return undefined;
        return error instanceof Error && error.name === 'AbortError' && reason !== undefined ? reason : error;
      },
    },
    run,
  );
}
