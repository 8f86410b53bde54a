import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, Telemetry } from 'bullmq';
import type { Logger } from '../core/logger.js';
import type { Partitions } from '../core/partitions.js';
import { createCreationAllowance, type RateLimit } from '../core/rate-limiter.js';
import type { RedisClient } from '../core/redis.js';
import { createTaskStore } from '../core/task-store.js';
import type { TaskKind } from '../core/task-kinds/index.js';
import { cancelSubscription } from './cancel-channels.js';
import { retryingDuringFailover } from './failover-retry.js';
import { noteUnreadableOptions } from './job-input.js';
import type { StalledOptions } from './job-workers.js';
import { JobSkippedError } from './run-errors.js';
import { createKindRunner, type KindRunner } from './run-kind.js';
import { createScheduleRuns, type ScheduleRuns } from './schedule-runs.js';
import { startScheduleRunWorkers } from './schedule-run-workers.js';
import { createTaskJobs, type TaskJobs } from './task-jobs.js';
import { taskLog, type RunRecorder } from './task-run.js';
import { inAttemptSpan } from './task-spans.js';
import { createThreadRuns, type ThreadRuns } from './thread-runs.js';
import type { WorkerMetrics } from './worker-metrics.js';
import { createWorkerRecord, type WorkerRecord } from './worker-record.js';

/** The connections a worker runs on; whoever made them closes them, after the worker. */
export interface WorkerConnections {
  /** For BullMQ (blocking commands). */
  redis: RedisClient;
  /**
   * For the task scripts and the worker record, auto-pipelined: the steps of many tasks that fall
   * in the same tick go to Redis in one write.
   */
  commands: RedisClient;
  /** For the cancel channels (sharded on a cluster). */
  subscriber: RedisClient;
}

export interface TaskWorkerOptions extends WorkerConnections {
  /** It serves every partition, each with an even share of its concurrency. */
  partitions: Partitions;
  name: string;
  /** The kinds it runs. */
  kinds: readonly TaskKind[];
  /** The file of a kind, which a thread loads to run it (isolation: 'thread'); core/task-kinds' by default. */
  kindFile?: (name: string) => URL | undefined;
  /** Threads for the kinds declared `isolation: 'thread'` (WORKER_THREADS); null for one per core. */
  threads?: number | null;
  /** Tasks run at once in this process (at least one per partition). */
  concurrency: number;
  /** Schedule runs handled at once in this process, apart from its tasks (at least one per partition). */
  scheduleConcurrency: number;
  /** The creation allowance of each client, which its schedules' runs take from as its creates do. */
  creationAllowance: RateLimit;
  /** How long a run may take before it fails; a task may set a lower limit of its own. */
  maxTimeoutMs: number;
  /** Lines a task's log keeps (MAX_TASK_LOG_LINES); the oldest go first. */
  maxLogLines: number;
  /** Milliseconds that close() waits for running tasks before handing them back to the queue. */
  shutdownTimeoutMs: number;
  /** How a task whose worker died is found and taken up again (BullMQ's lock and stall check). */
  stalled: StalledOptions;
  metrics: WorkerMetrics;
  /** BullMQ's telemetry (core/bullmq-telemetry.ts), when traces are on. */
  telemetry?: Telemetry;
  logger: Logger;
}

export interface TaskWorker {
  name: string;
  close(): Promise<void>;
}

/** After the shutdown timeout, time left to hand tasks back before giving up on Redis. */
const HAND_BACK_GRACE_MS = 5_000;
/** Each later shutdown step (Redis writes and quits) gives up after this long. */
const STEP_DEADLINE_MS = 2_000;

/**
 * Runs tasks from the queue. Each run first claims the task record (start), reports every step
 * through one script call, and ends with one more (finish); the record, not BullMQ, is what clients
 * see (worker/task-run.ts). A task cancelled or deleted meanwhile is never started, and a running
 * one stops at once (cancel channel, then BullMQ's cancelJob) or at its next step (flag in the record).
 */
export async function createTaskWorker(options: TaskWorkerOptions): Promise<TaskWorker> {
  const { redis, commands, subscriber, partitions, name, concurrency, logger } = options;
  // Job names come from Redis: a Map, so that `__proto__` is just a kind this worker does not run.
  const kinds = new Map(options.kinds.map((kind) => [kind.name, kind]));
  const store = options.metrics.countRunEnds(retryingDuringFailover(createTaskStore(commands, partitions), logger));
  const recorder: RunRecorder = { store, worker: name, maxLogLines: options.maxLogLines, logger };
  const scheduleRuns = createScheduleRuns({
    commands,
    partitions,
    store,
    allowance: createCreationAllowance(commands, partitions, options.creationAllowance),
    allowanceWindowMs: options.creationAllowance.windowSeconds * 1000,
    counted: options.metrics.scheduleRunDone,
    telemetry: options.telemetry,
    logger,
  });
  const threadRuns = createThreadRuns({ kindFile: options.kindFile, maxThreads: options.threads ?? undefined });
  const taskNames = [...kinds.keys()];
  const record = createWorkerRecord({ commands, keys: partitions.meta, name, concurrency, taskNames, logger });
  const runner = createKindRunner({
    recorder,
    threadRuns,
    maxTimeoutSeconds: options.maxTimeoutMs / 1000,
    activeChanged: record.activeChanged,
  });
  const jobs = createTaskJobs({
    redis,
    commands,
    partitions,
    concurrency,
    stalled: options.stalled,
    telemetry: options.telemetry,
    process: jobProcessor({ partitions, kinds, scheduleRuns, runner, recorder, metrics: options.metrics }),
    onStalled(jobId) {
      if (partitions.ofTask(jobId))
        taskLog(recorder, jobId)('its worker stopped answering: the task runs again', 'warn');
    },
    onFailedForGood: recordGivenUp(partitions, scheduleRuns, recorder),
    logger,
  });

  const cancelChannels = partitions.all.map(({ keys }) => keys.cancelChannel);
  const cancelChannel = new Set(cancelChannels);
  const cancels = cancelSubscription(subscriber, cancelChannels, (channel, taskId) => {
    if (cancelChannel.has(channel)) jobs.cancel(taskId);
  });
  await cancels.subscribe();
  await jobs.waitUntilReady();
  // Left where they are if this fails: their runs are still taken from the tasks queues.
  await scheduleRuns
    .moveOlderSchedulers()
    .catch((error: Error) => logger.warn({ err: error.message }, 'schedules not moved to their own queues'));
  const runWorkers = await startScheduleRunWorkers({
    redis,
    commands,
    partitions,
    run: (job) => scheduleRuns.run(job),
    concurrency: options.scheduleConcurrency,
    stalled: options.stalled,
    telemetry: options.telemetry,
    logger,
  });
  await record.start();
  jobs.run();
  logger.info({ worker: name, concurrency, tasks: taskNames }, 'worker ready');

  let closing: Promise<void> | null = null;
  const parts = { jobs, runWorkers, record, cancels, scheduleRuns, threadRuns };
  return {
    name,
    close: () => (closing ??= shutdown(parts, options.shutdownTimeoutMs, logger)),
  };
}

interface ProcessorParts {
  partitions: Partitions;
  kinds: ReadonlyMap<string, TaskKind>;
  scheduleRuns: ScheduleRuns;
  runner: KindRunner;
  recorder: RunRecorder;
  metrics: WorkerMetrics;
}

/** What BullMQ runs for a job: the job's result is its task's, which BullMQ keeps as its return value. */
function jobProcessor({ partitions, kinds, scheduleRuns, runner, recorder, metrics }: ProcessorParts) {
  return (partition: number, job: Job, token: string | undefined, signal: AbortSignal): Promise<unknown> => {
    // A schedule's run is no task of its own: it creates one. Runs have a queue of their own; one
    // made on the tasks queue by an earlier version is still run.
    if (scheduleRuns.isRun(job)) return scheduleRuns.run(job);
    // A job added by hand (Bull Board, Taskforce) has an id that names no task of this queue.
    if (partitions.ofTask(job.id!)?.index !== partition) return Promise.reject(new JobSkippedError(notATask(job.id!)));
    noteUnreadableOptions(job, taskLog(recorder, job.id!), recorder.logger);
    const kind = kinds.get(job.name);
    return metrics.running(inAttemptSpan(job, (span) => runner.run(job, kind, span, token, signal)));
  };
}

/**
 * BullMQ fails a job whose workers died too often (stalled) without running our processor; the
 * record would stay ACTIVE forever. Failures the processor saw are already recorded: no-op then.
 */
function recordGivenUp(partitions: Partitions, scheduleRuns: ScheduleRuns, recorder: RunRecorder) {
  const { store, logger } = recorder;
  return (job: Job, error: Error) => {
    if (!partitions.ofTask(job.id!)) return;
    if (scheduleRuns.isRun(job)) {
      logger.warn({ scheduleId: job.repeatJobKey, jobId: job.id, err: error.message }, 'schedule run failed');
      return;
    }
    store.abandon({ id: job.id!, name: job.name }, error.message).then(
      (abandoned) => {
        if (!abandoned) return;
        logger.warn({ taskId: job.id, err: error.message }, 'task failed: given up by the queue');
        taskLog(recorder, job.id!)(`given up by the queue: ${error.message}`, 'error');
      },
      (failure: Error) => logger.warn({ taskId: job.id, err: failure.message }, 'could not record a failure'),
    );
  };
}

interface WorkerParts {
  jobs: TaskJobs;
  runWorkers: { close(): Promise<void> };
  record: WorkerRecord;
  cancels: { unsubscribe(): Promise<void> };
  scheduleRuns: ScheduleRuns;
  threadRuns: ThreadRuns;
}

/**
 * Without Redis nothing here can finish: running tasks can neither end nor be handed back, the record
 * cannot be removed. Each step gets a deadline; tasks left running keep their locks only until those
 * run out, then another worker takes them up as stalled, so none is lost.
 */
async function shutdown(parts: WorkerParts, shutdownTimeoutMs: number, logger: Logger): Promise<void> {
  const handBack = setTimeout(() => parts.jobs.handBackAll(), shutdownTimeoutMs);
  const step = async (what: string, run: () => Promise<unknown>, deadlineMs = STEP_DEADLINE_MS) => {
    const done = run().then(
      () => true,
      (error: Error) => logger.warn({ err: error.message, step: what }, 'shutdown step failed'),
    );
    const late = sleep(deadlineMs, false, { ref: false });
    if ((await Promise.race([done, late])) === false) logger.warn({ step: what }, 'shutdown step gave up');
  };
  await step(
    'stop taking tasks and schedule runs, and let running ones end',
    () => Promise.all([parts.jobs.close(), parts.runWorkers.close()]),
    shutdownTimeoutMs + HAND_BACK_GRACE_MS,
  );
  clearTimeout(handBack);
  await step('remove the worker record', () => parts.record.remove());
  await step('leave the cancel channels', () => parts.cancels.unsubscribe());
  await step('close the queues of scheduled tasks', () => parts.scheduleRuns.close());
  await step('stop the task threads', () => parts.threadRuns.close());
}

const notATask = (jobId: string) =>
  `job ${jobId} is no task of this service: create tasks through its GraphQL API, not by adding jobs to its queue`;
