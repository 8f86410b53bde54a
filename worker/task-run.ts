import { randomUUID } from 'node:crypto';
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from '../core/logger.js';
import type { TaskRecord } from '../core/task-record.js';
import type { RunLog, RunOutcome, Step, TaskStore } from '../core/task-store.js';
import type { TaskLogLevel } from '../core/task-definition.js';
import { JobSkippedError, TaskCancelledError, WorkerShutdownError } from './run-errors.js';
import { failureCause, finalFailure, logFailure, runsAgain } from './run-failure.js';
import { RunSteps } from './run-steps.js';
import { RunLogLines } from './run-log.js';

/** What every run of a worker records through. */
export interface RunRecorder {
  store: TaskStore;
  /** The worker's name, which a started task's record keeps. */
  worker: string;
  /** Lines a task's log keeps (MAX_TASK_LOG_LINES). */
  maxLogLines: number;
  logger: Logger;
}

export type LogLine = (message: string, level?: TaskLogLevel) => void;

/** Writes lines in a task's log, not awaited: they go out on the same connection before the run's end. */
export function taskLog({ store, maxLogLines, logger }: RunRecorder, taskId: string): LogLine {
  return (message, level = 'info') => {
    store
      .appendLogs(taskId, [{ level, message }], maxLogLines)
      .catch((error: Error) => logger.debug({ taskId, err: error.message }, 'could not write a task log line'));
  };
}

/** Every step is also the job's progress, which Bull Board and Taskforce show. */
function mirrorStep(job: Job, { current, total }: Step, logger: Logger): void {
  job
    .updateProgress({ current, total, progress: total > 0 ? (current / total) * 100 : 0 })
    .catch((error: Error) => logger.debug({ taskId: job.id, err: error.message }, 'job progress not written'));
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Skipped: a job that runs nothing (a stale or foreign one, or one whose task is gone or was
 * cancelled). The task's state says why; BullMQ keeps the reason of those it fails.
 */
function skipped(job: Job, state: string, logger: Logger): undefined {
  logger.info({ taskId: job.id, task: job.name, state }, 'task skipped');
  if (state === 'MISSING') throw new JobSkippedError(taskGone(job.id!));
  if (state === 'CANCELLED') throw new JobSkippedError(CANCELLED);
  return undefined;
}

/**
 * One run of a task, from its start to its end: every transition it makes is one script call, with
 * the BullMQ mirror of that transition beside it (the job's progress, its return value or failure,
 * its move back to the queue). A run is claimed by `claim` (or recorded whole by `runAtOnce`), takes
 * its steps, and ends in exactly one of complete, fail, cancel or hand back.
 */
export class TaskRun {
  private readonly steps: RunSteps;
  private readonly lines: RunLogLines;
  readonly log: LogLine;
  readonly logger: Logger;
  private ended = false;

  private constructor(
    private readonly recorder: RunRecorder,
    readonly job: Job,
    /** The record as the start left it: it names the task's keys, its owner included. */
    readonly task: TaskRecord,
    /** Names this run in the record: a step or an end of any other run of the task is refused. */
    private readonly runId: string,
    onRefused: () => void,
  ) {
    this.lines = new RunLogLines(recorder, task.id);
    this.log = this.lines.write;
    this.logger = recorder.logger.child({ taskId: task.id, task: job.name });
    this.steps = new RunSteps((step) => {
      mirrorStep(job, step, recorder.logger);
      return recorder.store.progress(task, this.runId, step);
    }, onRefused);
  }

  /**
   * Claimed and started: the run owns the task from here. null (the job completes with nothing)
   * or a JobSkippedError when the task is not this run's to start.
   * @param onRefused called when the record refuses a step (cancelled, deleted, taken over).
   */
  static async claim(recorder: RunRecorder, job: Job, onRefused: () => void): Promise<TaskRun | null> {
    const runId = randomUUID();
    const started = await recorder.store.start({ id: job.id!, name: job.name }, runId, recorder.worker, {
      attemptsMade: job.attemptsMade,
    });
    if (started.state !== 'ACTIVE') return skipped(job, started.state, recorder.logger) ?? null;
    const run = new TaskRun(recorder, job, started.record, runId, onRefused);
    run.logger.info({ attempt: job.attemptsMade + 1, again: started.again }, 'task started');
    if (started.again) {
      run.log(RETRIED, 'warn');
      mirrorStep(job, { current: 0, total: run.task.total }, recorder.logger);
    }
    return run;
  }

  /** A step; a last one is held for the end (RunSteps). Throws when the run was stopped meanwhile. */
  step(step: Step): Promise<void> {
    return this.steps.report(step);
  }

  /** Completed: the result, checked by the kind, is the job's return value. */
  async complete(result: unknown, signal: AbortSignal): Promise<unknown> {
    // A last step that went out by itself: the end waits for it, and a cancel it met wins.
    if (await this.steps.settled()) signal.throwIfAborted();
    if ((await this.finish({ state: 'COMPLETED', result })) === 'CANCELLED') return this.cancelled();
    this.logger.info('task completed');
    return result;
  }

  /**
   * Ends the run for what stopped it: a cancel, a hand-back (the worker stopping) or a failure. It
   * answers nothing: it throws what BullMQ is to do with the job.
   * @param reason the run's signal's reason, when it was aborted.
   */
  async end(error: unknown, reason: unknown, token: string | undefined): Promise<never> {
    if (error instanceof JobSkippedError) throw error;
    if (reason instanceof TaskCancelledError) {
      await this.finish({ state: 'CANCELLED' });
      return this.cancelled();
    }
    if (reason instanceof WorkerShutdownError) return this.handBack(reason, token);
    return this.fail(error, failureCause(error, reason));
  }

  /** Failed: runs again (QUEUED) or not (FAILED), as `runsAgain` decides for the record and BullMQ alike. */
  private async fail(error: unknown, cause: unknown): Promise<never> {
    const message = messageOf(cause);
    const again = runsAgain(this.job, error);
    logFailure(this.log, this.job, message, again);
    await this.finish({ state: again ? 'QUEUED' : 'FAILED', error: message });
    this.logger.warn({ err: message, retry: again }, 'task failed');
    throw again ? error : finalFailure(error, messageOf(error));
  }

  /** Handed back: to the queue, not failed; another worker (or this one, restarted) runs it again. */
  private async handBack(reason: WorkerShutdownError, token: string | undefined): Promise<never> {
    await this.finish({ state: 'QUEUED', error: reason.message });
    this.log(`handed back to the queue: worker ${this.recorder.worker} stopped before the task finished`, 'warn');
    await this.job.moveToDelayed(Date.now(), token);
    this.logger.warn('task handed back to the queue');
    throw new DelayedError();
  }

  private cancelled(): never {
    this.logger.info('task cancelled');
    throw new JobSkippedError(CANCELLED);
  }

  /**
   * The one end script call; a last step the run reported just before is recorded with it, and the
   * log lines it wrote that have not gone out yet.
   */
  private async finish(outcome: RunOutcome) {
    if (this.ended) throw new Error(`the run of task ${this.task.id} had ended`);
    const held = this.steps.takeHeld();
    if (held) mirrorStep(this.job, held, this.recorder.logger);
    // Set once written: an end that Redis did not take is followed by the failure's.
    const answer = await this.recorder.store.finish(this.task, this.runId, outcome, held, this.lines.end());
    this.ended = true;
    return answer;
  }
}

/** An instant run's outcome: its failure too, when it failed. */
export interface InstantRun {
  outcome: RunOutcome;
  failure: { error: unknown } | null;
}

/**
 * An instant kind's run, recorded whole (claimed, started and ended) in one script call after it ran,
 * with its log lines. The script checks that it ran the task's own input and, when not, answers that
 * input to run again with, once.
 * @param execute runs the kind on an input; its lines go to `log`.
 */
export async function runAtOnce(
  recorder: RunRecorder,
  job: Job,
  firstInput: unknown,
  execute: (input: unknown, log: LogLine) => Promise<unknown>,
  noteInput: (stored: unknown, log: LogLine) => void,
): Promise<unknown> {
  const taskId = job.id!;
  const lines: { level: TaskLogLevel; message: string }[] = [];
  const log: LogLine = (message, level = 'info') => lines.push({ level, message });
  let input = firstInput;
  for (let tries = 0; ; tries++) {
    const run = input === null ? null : await attempt(job, () => execute(input, log), log);
    const outcome: RunOutcome = run?.outcome ?? { state: 'FAILED', error: 'not run' };
    const runLog: RunLog = { lines, maxLines: recorder.maxLogLines };
    const answer = await recorder.store.startAndFinish(
      { id: taskId, name: job.name },
      randomUUID(),
      recorder.worker,
      outcome,
      {
        job: { attemptsMade: job.attemptsMade },
        input,
        log: runLog,
      },
    );
    if (answer.state === 'INPUT') {
      if (tries > 0) throw new Error(`the input of task ${taskId} changed while it ran`);
      lines.length = 0;
      noteInput(answer.input, log);
      input = answer.input;
      continue;
    }
    if (answer.state !== 'ACTIVE' || !run) return skipped(job, answer.state, recorder.logger);
    const fields = { taskId, task: job.name, attempt: job.attemptsMade + 1 };
    if (run.failure) {
      recorder.logger.warn({ ...fields, err: messageOf(run.failure.error) }, 'task failed');
      const again = outcome.state === 'QUEUED';
      throw again ? run.failure.error : finalFailure(run.failure.error, messageOf(run.failure.error));
    }
    recorder.logger.info({ ...fields, again: answer.again }, 'task completed');
    return outcome.state === 'COMPLETED' ? outcome.result : undefined;
  }
}

async function attempt(job: Job, execute: () => Promise<unknown>, log: LogLine): Promise<InstantRun> {
  try {
    return { outcome: { state: 'COMPLETED', result: await execute() }, failure: null };
  } catch (error) {
    const again = runsAgain(job, error);
    logFailure(log, job, messageOf(error), again);
    return { outcome: { state: again ? 'QUEUED' : 'FAILED', error: messageOf(error) }, failure: { error } };
  }
}

const CANCELLED = 'the task was cancelled';
const RETRIED = "run again: its job was retried in the queue (Bull Board, Taskforce or BullMQ's job.retry)";
const taskGone = (taskId: string) =>
  `no task ${taskId}: it was deleted or has expired, or its job was added to the queue by hand ` +
  '(create tasks through the GraphQL API)';
