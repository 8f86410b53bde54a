import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '../core/logger.js';
import type { TaskKind } from '../core/task-kinds/index.js';
import type { LogLine } from './task-run.js';
import { unreadableData, unreadableOptions } from './unreadable-job-data.js';

/**
 * The task's own input, as its record holds it, is what runs, whatever the job's data says (it can
 * be edited in Bull Board or Taskforce): a difference is written in the task's log.
 */
export function noteEditedData(job: Job, stored: unknown, log: LogLine, logger: Logger): void {
  const unreadable = unreadableData(job);
  if (unreadable === undefined && JSON.stringify(job.data) === JSON.stringify(stored)) return;
  const data = unreadable === undefined ? JSON.stringify(job.data).slice(0, 200) : `unreadable (${unreadable})`;
  log(`${EDITED_DATA}; job data: ${data}`, 'warn');
  logger.warn({ taskId: job.id, task: job.name, jobData: data }, 'job data differs from the task input');
}

/** An input checked by its kind; a bad one fails the run for good. */
export function parsedInput(kind: TaskKind, input: unknown): unknown {
  const parsed = kind.input.safeParse(input);
  if (!parsed.success) throw new UnrecoverableError(`invalid task input: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The input an instant run tries first: the job's data, or none when it cannot be read (its run then answers the task's). */
export const jobInput = (job: Job): unknown => (unreadableData(job) === undefined ? job.data : null);

/** Options BullMQ could not read leave the job none, so no retry: the task runs once, and its log says why. */
export function noteUnreadableOptions(job: Job, log: LogLine, logger: Logger): void {
  const unreadable = unreadableOptions(job);
  if (unreadable === undefined) return;
  log(`${UNREADABLE_OPTIONS}; job options: unreadable (${unreadable})`, 'warn');
  logger.warn({ taskId: job.id, task: job.name, jobOptions: unreadable }, 'job options unreadable');
}

const EDITED_DATA =
  "the job's data differs from the task's input (edited in Bull Board, Taskforce or with BullMQ's API): the task's own input ran";
const UNREADABLE_OPTIONS =
  "the job's stored options could not be read (written by another program, or damaged): the task runs once, without retries";
