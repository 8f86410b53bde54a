import { UnrecoverableError, type Job } from 'bullmq';
import type { TaskRecord } from '../core/task-record.js';
import { TaskTimeoutError, type TaskContext, type TimeLimit } from '../core/task-definition.js';
import type { TaskKind } from '../core/task-kinds/index.js';
import { jobInput, noteEditedData, parsedInput } from './job-input.js';
import { progressDetailJson } from './progress-detail.js';
import { TaskCancelledError, abortCause, instantRunContext } from './run-errors.js';
import { failureCause } from './run-failure.js';
import { runAtOnce, TaskRun, type RunRecorder } from './task-run.js';
import type { ThreadRuns } from './thread-runs.js';
import { inRunSpan, type AttemptSpan } from './task-spans.js';

export interface KindRunnerOptions {
  recorder: RunRecorder;
  threadRuns: ThreadRuns;
  /** The worker's own time limit, in seconds. */
  maxTimeoutSeconds: number;
  /** Told when a stepped run starts and ends (the worker record's count of active tasks). */
  activeChanged: (delta: 1 | -1) => void;
}

/** Runs a job's task by its kind: inline or in a thread, at once (instant kinds) or step by step. */
export interface KindRunner {
  /**
   * @param kind undefined when this worker does not run the job's kind: the run fails for good.
   * @param signal BullMQ's processor signal, aborted by `cancelJob` (a cancel) and `cancelAllJobs` (a hand-back).
   */
  run(
    job: Job,
    kind: TaskKind | undefined,
    span: AttemptSpan,
    token: string | undefined,
    signal: AbortSignal,
  ): Promise<unknown>;
}

/** The lowest of the task's own limit, its kind's and the worker's. */
function timeLimitOf(task: TaskRecord, kind: TaskKind | undefined, maxTimeoutSeconds: number): TimeLimit {
  const limits: TimeLimit[] = [{ seconds: maxTimeoutSeconds, setBy: 'worker' }];
  if (kind?.maxSeconds !== undefined) limits.push({ seconds: kind.maxSeconds, setBy: 'kind' });
  if (task.timeoutSeconds !== null) limits.push({ seconds: task.timeoutSeconds, setBy: 'task' });
  return limits.reduce((lowest, limit) => (limit.seconds <= lowest.seconds ? limit : lowest));
}

/** An instant kind: run first, then recorded whole in one call (task-run.ts' runAtOnce). */
function runInstant(recorder: RunRecorder, maxTimeoutSeconds: number, job: Job, kind: TaskKind): Promise<unknown> {
  const { logger } = recorder;
  return runAtOnce(
    recorder,
    job,
    jobInput(job),
    async (input, log) => {
      const context = instantRunContext(maxTimeoutSeconds, job.attemptsMade + 1, log, logger);
      const ran: unknown = await inRunSpan(job, context.signal, () => kind.run(parsedInput(kind, input), context));
      return kind.result.parse(ran);
    },
    (stored, log) => noteEditedData(job, stored, log, logger),
  );
}

export function createKindRunner({
  recorder,
  threadRuns,
  maxTimeoutSeconds,
  activeChanged,
}: KindRunnerOptions): KindRunner {
  const { logger } = recorder;

  /** A kind that takes steps: claimed first, each step recorded, then ended. */
  async function runStepped(
    job: Job,
    kind: TaskKind | undefined,
    span: AttemptSpan,
    token: string | undefined,
    jobSignal: AbortSignal,
  ): Promise<unknown> {
    // The run's own signal: BullMQ's (a cancel, a hand-back), the time limit, or a step the record refused.
    const stop = new AbortController();
    const run = await TaskRun.claim(recorder, job, () => stop.abort(new TaskCancelledError()));
    if (!run) return undefined;
    const { signal } = stop;
    const onJobAbort = () => stop.abort(abortCause(jobSignal));
    if (jobSignal.aborted) onJobAbort();
    else jobSignal.addEventListener('abort', onJobAbort, { once: true });
    const timeLimit = timeLimitOf(run.task, kind, maxTimeoutSeconds);
    const timeout = setTimeout(() => stop.abort(new TaskTimeoutError(timeLimit)), timeLimit.seconds * 1000);
    activeChanged(1);
    try {
      if (!kind) throw new UnrecoverableError(`this worker does not run ${job.name} tasks`);
      noteEditedData(job, run.task.input, run.log, logger);
      const input = parsedInput(kind, run.task.input);
      // A kind that runs in a thread gets the same context, its calls coming back as messages.
      const execute = kind.isolation === 'thread' ? threadRuns.run.bind(null, kind) : kind.run.bind(kind);
      const context: TaskContext<unknown> = {
        signal,
        attempt: job.attemptsMade + 1,
        timeLimit,
        log: run.log,
        logger: run.logger,
        async progress(current, detail) {
          signal.throwIfAborted();
          await run.step({ current, total: run.task.total, detail: progressDetailJson(kind, current, detail) });
          signal.throwIfAborted();
        },
      };
      const result = await inRunSpan(job, signal, () => execute(input, context));
      return await run.complete(kind.result.parse(result), signal);
    } catch (error) {
      const reason: unknown = signal.aborted ? signal.reason : null;
      span.failed(failureCause(error, reason));
      return await run.end(error, reason, token);
    } finally {
      clearTimeout(timeout);
      jobSignal.removeEventListener('abort', onJobAbort);
      activeChanged(-1);
    }
  }

  return {
    run(job, kind, span, token, signal) {
      // A kind in a thread is not instant: its start alone takes a while.
      if (kind?.instant && kind.isolation !== 'thread') return runInstant(recorder, maxTimeoutSeconds, job, kind);
      return runStepped(job, kind, span, token, signal);
    },
  };
}
