import { UnrecoverableError, type Job } from 'bullmq';
import type { LogLine } from './task-run.js';

/**
 * Whether a failed attempt runs again: the one decision that both the record (QUEUED or FAILED) and
 * BullMQ (retry or fail) follow. What BullMQ must not retry reaches it as an UnrecoverableError.
 */
export function runsAgain(job: Job, error: unknown): boolean {
  const unrecoverable = error instanceof UnrecoverableError || (error as Error | null)?.name === 'UnrecoverableError';
  return !unrecoverable && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
}

/** The error BullMQ gets for a failure that does not run again, whatever attempts the job has left. */
export function finalFailure(error: unknown, message: string): UnrecoverableError {
  if (error instanceof UnrecoverableError) return error;
  const final = new UnrecoverableError(message);
  if (error instanceof Error && error.stack) final.stack = error.stack;
  return final;
}

/** What a failure is named by: an abort (the time limit) surfaces as an AbortError, whose signal's reason says why. */
export function failureCause(error: unknown, reason: unknown): unknown {
  return error instanceof Error && error.name === 'AbortError' && reason ? reason : error;
}

/** The line a failed attempt leaves in its task's log. */
export function logFailure(log: LogLine, job: Job, message: string, again: boolean): void {
  const attempt = job.attemptsMade + 1;
  if (again) log(`attempt ${attempt} failed: ${message}; it runs again after a pause`, 'warn');
  else log(`failed on attempt ${attempt}: ${message}`, 'error');
}
