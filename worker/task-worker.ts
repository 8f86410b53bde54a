import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, UnrecoverableError, type Job, type Telemetry, type Worker } from 'bullmq';
import type { Cluster } from 'ioredis';
import { QUEUE_NAME } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { Partitions } from '../core/partitions.js';
import { createCreationAllowance, type RateLimit } from '../core/rate-limiter.js';
import type { RedisClient } from '../core/redis.js';
import type { TaskRecord } from '../core/task-record.js';
import { createTaskStore, type RunOutcome, type Step } from '../core/task-store.js';
import { createWorkerRegistry } from '../core/worker-registry.js';
import { retryingDuringFailover } from './failover-retry.js';
import { keepNewerLocks } from './keep-newer-locks.js';
import { evenShare, stalledJobOptions, type StalledOptions } from './job-workers.js';
import { progressDetailJson } from './progress-detail.js';
import { RunSteps } from './run-steps.js';
import { createThreadRuns } from './thread-runs.js';
import { createScheduleRuns } from './schedule-runs.js';
import { startScheduleRunWorkers } from './schedule-run-workers.js';
import { inAttemptSpan, inRunSpan, type AttemptSpan } from './task-spans.js';
import type { WorkerMetrics } from './worker-metrics.js';
import { TaskJobWorker, unreadableData, unreadableOptions } from './unreadable-job-data.js';
import { TaskTimeoutError, type TaskContext, type TaskLogLevel, type TimeLimit } from '../core/task-definition.js';
import type { TaskKind } from '../core/task-kinds/index.js';
import { JobSkippedError, TaskCancelledError, WorkerShutdownError, instantRunContext } from './run-errors.js';

type RunContext = TaskContext<unknown>;

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

const HEARTBEAT_EVERY_MS = 5_000;
/** After the shutdown timeout, time left to hand tasks back before giving up on Redis. */
const HAND_BACK_GRACE_MS = 5_000;
/** Each later shutdown step (Redis writes and quits) gives up after this long. */
const STEP_DEADLINE_MS = 2_000;
const ACTIVE_COUNT_WRITE_DELAY_MS = 250; // coalesces the record writes of many tasks starting at once
/**
 * A BullMQ worker takes up jobs one at a time, each fetch awaited before the next, until it holds
 * its concurrency's worth: at high concurrency taking up a full queue takes longer than the tasks'
 * first steps. Each BullMQ worker of the process gets at most this many of its tasks, so several
 * fetch in parallel.
 */
const TASKS_PER_FETCH_LOOP = 250;

/**
 * Runs tasks from the queue. Each run first claims the task record (start), reports every step
 * through one script call, and ends with one more (finish); the record, not BullMQ, is what clients
 * see. A task cancelled or deleted meanwhile is never started, and a running one stops at once
 * (cancel channel) or at its next step (flag in the record).
 */
export async function createTaskWorker(options: TaskWorkerOptions): Promise<TaskWorker> {
  const { redis, commands, subscriber, partitions, name, concurrency, logger } = options;
  const maxTimeoutSeconds = options.maxTimeoutMs / 1000;
  // Job names come from Redis: a Map, so that `__proto__` is just a kind this worker does not run.
  const kinds = new Map(options.kinds.map((kind) => [kind.name, kind]));
  const taskNames = [...kinds.keys()];
  const store = options.metrics.countRunEnds(retryingDuringFailover(createTaskStore(commands, partitions), logger));
  const registry = createWorkerRegistry(commands, partitions.meta);
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
  const runs = new Map<string, AbortController>();
  const threadRuns = createThreadRuns({ kindFile: options.kindFile, maxThreads: options.threads ?? undefined });
  const startedAt = new Date();

  const writeRecord = () =>
    registry
      .write({ name, concurrency, startedAt, taskNames, activeTasks: runs.size })
      .catch((error: Error) => logger.debug({ err: error.message }, 'could not write the worker record'));
  let recordTimer: NodeJS.Timeout | null = null;
  const activeTasksChanged = () => {
    recordTimer ??= setTimeout(() => {
      recordTimer = null;
      void writeRecord();
    }, ACTIVE_COUNT_WRITE_DELAY_MS);
  };
  const heartbeat = setInterval(() => void writeRecord(), HEARTBEAT_EVERY_MS);

  const cancelChannels = partitions.all.map(({ keys }) => keys.cancelChannel);
  const cancelChannel = new Set(cancelChannels);
  const onCancel = (channel: string, taskId: string) => {
    if (cancelChannel.has(channel)) runs.get(taskId)?.abort(new TaskCancelledError());
  };
  const cancels = cancelSubscription(subscriber, cancelChannels, onCancel);
  await cancels.subscribe();

  const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

  /**
   * Writes lines in a task's log. Not awaited: a line goes out on the same connection before the
   * run's end, so whoever sees the end can read it; one that cannot be written is dropped.
   */
  const taskLog =
    (taskId: string): RunContext['log'] =>
    (message, level = 'info') => {
      store
        .appendLogs(taskId, [{ level, message }], options.maxLogLines)
        .catch((error: Error) => logger.debug({ taskId, err: error.message }, 'could not write a task log line'));
    };

  /** The lowest of the task's own limit, its kind's and the worker's. */
  const timeLimitOf = (task: TaskRecord, kind: TaskKind | undefined): TimeLimit => {
    const limits: TimeLimit[] = [{ seconds: maxTimeoutSeconds, setBy: 'worker' }];
    if (kind?.maxSeconds !== undefined) limits.push({ seconds: kind.maxSeconds, setBy: 'kind' });
    if (task.timeoutSeconds !== null) limits.push({ seconds: task.timeoutSeconds, setBy: 'task' });
    return limits.reduce((lowest, limit) => (limit.seconds <= lowest.seconds ? limit : lowest));
  };

  /** The line a failed attempt leaves in its task's log. */
  const logFailure = (log: RunContext['log'], job: Job, message: string, retry: boolean) => {
    const attempt = job.attemptsMade + 1;
    if (retry) log(`attempt ${attempt} failed: ${message}; it runs again after a pause`, 'warn');
    else log(`failed on attempt ${attempt}: ${message}`, 'error');
  };

  /** Whether BullMQ will run the job again after this error (the record goes back to QUEUED). */
  const willRetry = (job: Job, error: unknown) =>
    !(error instanceof UnrecoverableError) && job.attemptsMade + 1 < (job.opts.attempts ?? 1);

  /**
   * The task's own input, as its record holds it, is what runs, whatever the job's data says (it
   * can be edited in Bull Board or Taskforce): a difference is written in the task's log.
   */
  function noteEditedData(job: Job, stored: unknown, log: RunContext['log']): void {
    const unreadable = unreadableData(job);
    if (unreadable === undefined && JSON.stringify(job.data) === JSON.stringify(stored)) return;
    const data = unreadable === undefined ? JSON.stringify(job.data).slice(0, 200) : `unreadable (${unreadable})`;
    log(`${EDITED_DATA}; job data: ${data}`, 'warn');
    logger.warn({ taskId: job.id, task: job.name, jobData: data }, 'job data differs from the task input');
  }

  /** The task's own input, checked by its kind (noteEditedData says why it is not the job's data). */
  function taskInput(kind: TaskKind, job: Job, stored: unknown, log: RunContext['log']): unknown {
    noteEditedData(job, stored, log);
    const parsed = kind.input.safeParse(stored);
    if (!parsed.success) throw new UnrecoverableError(`invalid task input: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  /** Options BullMQ could not read leave the job none, so no retry: the task runs once, and its log says why. */
  function noteUnreadableOptions(job: Job): void {
    const unreadable = unreadableOptions(job);
    if (unreadable === undefined) return;
    taskLog(job.id!)(`${UNREADABLE_OPTIONS}; job options: unreadable (${unreadable})`, 'warn');
    logger.warn({ taskId: job.id, task: job.name, jobOptions: unreadable }, 'job options unreadable');
  }

  /** Every step is also the job's progress, which Bull Board and Taskforce show. */
  const jobProgress = (job: Job, { current, total }: Step) => {
    job
      .updateProgress({ current, total, progress: total > 0 ? (current / total) * 100 : 0 })
      .catch((error: Error) => logger.debug({ taskId: job.id, err: error.message }, 'job progress not written'));
  };

  /**
   * Fails a job that runs nothing, so that BullMQ (and Bull Board) shows why: one that is no
   * task's, whose task is gone, or was cancelled.
   */
  const skip = (reason: string) => new JobSkippedError(reason);

  /** The job's result is its task's: BullMQ keeps it as the job's return value. */
  function processJob(partition: number, job: Job, token?: string): Promise<unknown> {
    // A schedule's run is no task of its own: it creates one. Runs have a queue of their own; one
    // made on the tasks queue by an earlier version is still run.
    if (scheduleRuns.isRun(job)) return scheduleRuns.run(job);
    // A job added by hand (Bull Board, Taskforce) has an id that names no task of this queue.
    if (partitions.ofTask(job.id!)?.index !== partition) return Promise.reject(skip(notATask(job.id!)));
    const kind = kinds.get(job.name);
    noteUnreadableOptions(job);
    return options.metrics.running(
      inAttemptSpan(job, (attempt) =>
        // A kind in a thread is not instant: its start alone takes a while.
        kind?.instant && kind.isolation !== 'thread' ? runAtOnce(job, kind) : runWithSteps(job, attempt, token),
      ),
    );
  }

  /**
   * An instant kind: run first, then record the start and the end in one script, which checks that
   * it ran the task's own input (when not, it answers that input, to run again with).
   */
  async function runAtOnce(job: Job, kind: TaskKind): Promise<unknown> {
    const taskId = job.id!;
    const ref = { id: taskId, name: job.name };
    const taken = { attemptsMade: job.attemptsMade };
    // Its log lines go with its start and end, in the one script call.
    const lines: { level: TaskLogLevel; message: string }[] = [];
    const writeLog: RunContext['log'] = (message, level = 'info') => lines.push({ level, message });
    // Job data that cannot be read runs nothing: the script answers the task's input.
    let input: unknown = unreadableData(job) === undefined ? job.data : null;
    // At most twice: the task's own input, once answered, is what the script checks against.
    for (let tries = 0; ; tries++) {
      const run = input === null ? null : await runInstant(job, kind, input, writeLog);
      const outcome: RunOutcome = run?.outcome ?? { state: 'FAILED', error: 'not run' };
      const log = { lines, maxLines: options.maxLogLines };
      const answer = await store.startAndFinish(ref, randomUUID(), name, outcome, { job: taken, input, log });
      if (answer.state === 'INPUT') {
        if (tries > 0) throw new Error(`the input of task ${taskId} changed while it ran`);
        lines.length = 0;
        noteEditedData(job, answer.input, writeLog);
        input = answer.input;
        continue;
      }
      const attempt = job.attemptsMade + 1;
      if (answer.state !== 'ACTIVE' || !run) {
        logger.info({ taskId, task: job.name, state: answer.state }, 'task skipped');
        if (answer.state === 'MISSING') throw skip(taskGone(taskId));
        if (answer.state === 'CANCELLED') throw skip(CANCELLED);
        return undefined;
      }
      if (run.failure) {
        logger.warn({ taskId, task: job.name, attempt, err: run.failure.message }, 'task failed');
        throw run.failure.error;
      }
      logger.info({ taskId, task: job.name, attempt, again: answer.again }, 'task completed');
      return outcome.state === 'COMPLETED' ? outcome.result : undefined;
    }
  }

  /** Runs an instant kind: its outcome, and its failure when it failed. */
  async function runInstant(job: Job, kind: TaskKind, input: unknown, writeLog: RunContext['log']) {
    try {
      const parsed = kind.input.safeParse(input);
      if (!parsed.success) throw new UnrecoverableError(`invalid task input: ${parsed.error.issues[0]?.message}`);
      const context = instantRunContext(maxTimeoutSeconds, job.attemptsMade + 1, writeLog, logger);
      const result: unknown = await inRunSpan(job, context.signal, () => kind.run(parsed.data, context));
      const outcome: RunOutcome = { state: 'COMPLETED', result: kind.result.parse(result) };
      return { outcome, failure: null };
    } catch (error) {
      const failure = { error, message: messageOf(error) };
      const outcome: RunOutcome = { state: willRetry(job, error) ? 'QUEUED' : 'FAILED', error: failure.message };
      logFailure(writeLog, job, failure.message, outcome.state === 'QUEUED');
      return { outcome, failure };
    }
  }

  async function runWithSteps(job: Job, attempt: AttemptSpan, token?: string): Promise<unknown> {
    const taskId = job.id!;
    const log = logger.child({ taskId, task: job.name });
    const runId = randomUUID();
    const started = await store.start({ id: taskId, name: job.name }, runId, name, { attemptsMade: job.attemptsMade });
    if (started.state !== 'ACTIVE') {
      log.info({ state: started.state }, 'task skipped');
      if (started.state === 'MISSING') throw skip(taskGone(taskId));
      if (started.state === 'CANCELLED') throw skip(CANCELLED);
      return undefined;
    }
    // The record names the task's keys for the rest of the run, its owner included.
    const task = started.record;
    const controller = new AbortController();
    const { signal } = controller;
    runs.set(taskId, controller);
    activeTasksChanged();
    const kind = kinds.get(job.name);
    const timeLimit = timeLimitOf(task, kind);
    const timeout = setTimeout(() => controller.abort(new TaskTimeoutError(timeLimit)), timeLimit.seconds * 1000);
    const writeLog = taskLog(taskId);
    log.info({ attempt: job.attemptsMade + 1, again: started.again }, 'task started');
    if (started.again) {
      writeLog(RETRIED, 'warn');
      jobProgress(job, { current: 0, total: task.total });
    }

    const steps = new RunSteps(
      (step) => {
        jobProgress(job, step);
        return store.progress(task, runId, step);
      },
      () => controller.abort(new TaskCancelledError()),
    );
    // A last step the run reported just before the end is recorded with it.
    const finish = (outcome: RunOutcome) => {
      const held = steps.takeHeld();
      if (held) jobProgress(job, held);
      return store.finish(task, runId, outcome, held);
    };

    try {
      if (!kind) throw new UnrecoverableError(`this worker does not run ${job.name} tasks`);
      const input = taskInput(kind, job, task.input, writeLog);
      // A kind that runs in a thread gets the same context, its calls coming back as messages.
      const run = kind.isolation === 'thread' ? threadRuns.run.bind(null, kind) : kind.run.bind(kind);
      const result = await inRunSpan(job, signal, () =>
        run(input, {
          signal,
          attempt: job.attemptsMade + 1,
          timeLimit,
          log: writeLog,
          logger: log,
          async progress(current, detail) {
            signal.throwIfAborted();
            await steps.report({ current, total: task.total, detail: progressDetailJson(kind, current, detail) });
            signal.throwIfAborted();
          },
        } satisfies RunContext),
      );
      const outcome: RunOutcome = { state: 'COMPLETED', result: kind.result.parse(result) };
      // A last step that went out by itself: the end waits for it, and a cancel it met wins, as it
      // would have had the run been told.
      if (await steps.settled()) signal.throwIfAborted();
      if ((await finish(outcome)) === 'CANCELLED') {
        log.info('task cancelled');
        throw skip(CANCELLED);
      }
      log.info('task completed');
      return outcome.result;
    } catch (error) {
      if (error instanceof JobSkippedError) throw error;
      const reason: unknown = signal.aborted ? signal.reason : null;
      if (reason instanceof TaskCancelledError) {
        await finish({ state: 'CANCELLED' });
        log.info('task cancelled');
        throw skip(CANCELLED);
      }
      if (reason instanceof WorkerShutdownError) {
        // Back to the queue, not failed: another worker (or this one, restarted) runs it again.
        await finish({ state: 'QUEUED', error: reason.message });
        writeLog(`handed back to the queue: worker ${name} stopped before the task finished`, 'warn');
        await job.moveToDelayed(Date.now(), token);
        log.warn('task handed back to the queue');
        throw new DelayedError();
      }
      // An abort (the max timeout) surfaces as an AbortError: its reason says why.
      const cause = error instanceof Error && error.name === 'AbortError' ? reason : error;
      const message = messageOf(cause);
      const retry = willRetry(job, error);
      attempt.failed(cause);
      logFailure(writeLog, job, message, retry);
      await finish({ state: retry ? 'QUEUED' : 'FAILED', error: message });
      log.warn({ err: message, retry }, 'task failed');
      throw error;
    } finally {
      clearTimeout(timeout);
      // A newer run of the task (its job taken up again after a stall) may have its own entry.
      if (runs.get(taskId) === controller) runs.delete(taskId);
      activeTasksChanged();
    }
  }

  const { stalled } = options;
  // Every partition's queue gets its share of the concurrency, so each is fetched from as much as
  // the others: tasks are spread over the partitions evenly.
  const workers = partitions.all.flatMap(({ keys }, index) => {
    const share = evenShare(concurrency, partitions.count, index);
    const fetchLoops = Math.ceil(share / TASKS_PER_FETCH_LOOP);
    return Array.from({ length: fetchLoops }, (_, loop) =>
      createBullmqWorker(index, keys.prefix, evenShare(share, fetchLoops, loop)),
    );
  });

  function createBullmqWorker(partition: number, prefix: string, share: number): Worker {
    const processor = keepNewerLocks((job: Job, token?: string) => processJob(partition, job, token));
    const worker = new TaskJobWorker(
      QUEUE_NAME,
      processor,
      {
        connection: redis,
        prefix,
        concurrency: share,
        ...stalledJobOptions(stalled),
        ...(options.telemetry && { telemetry: options.telemetry }),
      },
      commands,
    );
    worker.on('error', (error) => logger.warn({ err: error.message }, 'worker error'));
    // BullMQ found a job whose worker stopped renewing its lock (it died, or hung): it runs again.
    worker.on('stalled', (jobId) => {
      if (partitions.ofTask(jobId)) taskLog(jobId)('its worker stopped answering: the task runs again', 'warn');
    });
    // BullMQ fails a job whose workers died too often (stalled) without running our processor; the
    // record would stay ACTIVE forever. Failures the processor saw are already recorded: no-op then.
    worker.on('failed', (job, error) => {
      const runsAgain = job && !job.finishedOn && job.attemptsMade < (job.opts.attempts ?? 1);
      if (!job?.id || runsAgain || error instanceof JobSkippedError || !partitions.ofTask(job.id)) return;
      if (scheduleRuns.isRun(job)) {
        logger.warn({ scheduleId: job.repeatJobKey, jobId: job.id, err: error.message }, 'schedule run failed');
        return;
      }
      store.abandon({ id: job.id, name: job.name }, error.message).then(
        (abandoned) => {
          if (!abandoned) return;
          logger.warn({ taskId: job.id, err: error.message }, 'task failed: given up by the queue');
          taskLog(job.id!)(`given up by the queue: ${error.message}`, 'error');
        },
        (failure: Error) => logger.warn({ taskId: job.id, err: failure.message }, 'could not record a failure'),
      );
    });
    return worker;
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
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
    stalled,
    telemetry: options.telemetry,
    logger,
  });
  await writeRecord();
  logger.info({ worker: name, concurrency, tasks: taskNames }, 'worker ready');

  let closing: Promise<void> | null = null;
  return {
    name,
    close() {
      closing ??= (async () => {
        const handBack = setTimeout(() => {
          for (const run of runs.values()) run.abort(new WorkerShutdownError());
        }, options.shutdownTimeoutMs);
        // Without Redis nothing here can finish: running tasks can neither end nor be handed back, the
        // record cannot be removed. Each step gets a deadline; tasks left running keep their locks
        // only until those run out, then another worker takes them up as stalled, so none is lost.
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
          () => Promise.all([...workers.map((worker) => worker.close()), runWorkers.close()]),
          options.shutdownTimeoutMs + HAND_BACK_GRACE_MS,
        );
        clearTimeout(handBack);
        clearInterval(heartbeat);
        if (recordTimer) clearTimeout(recordTimer);
        await step('remove the worker record', () => registry.removeWorker(name));
        await step('leave the cancel channels', () => cancels.unsubscribe());
        await step('close the queues of scheduled tasks', () => scheduleRuns.close());
        await step('stop the task threads', () => threadRuns.close());
      })();
      return closing;
    },
  };
}

const CANCELLED = 'the task was cancelled';
const RETRIED = "run again: its job was retried in the queue (Bull Board, Taskforce or BullMQ's job.retry)";
const EDITED_DATA =
  "the job's data differs from the task's input (edited in Bull Board, Taskforce or with BullMQ's API): the task's own input ran";
const UNREADABLE_OPTIONS =
  "the job's stored options could not be read (written by another program, or damaged): the task runs once, without retries";
const notATask = (jobId: string) =>
  `job ${jobId} is no task of this service: create tasks through its GraphQL API, not by adding jobs to its queue`;
const taskGone = (taskId: string) =>
  `no task ${taskId}: it was deleted or has expired, or its job was added to the queue by hand ` +
  '(create tasks through the GraphQL API)';

/**
 * The cancel channels, one per partition: classic channels on one Redis, sharded ones (each in its
 * partition's slot, so SSUBSCRIBE one by one) on a cluster.
 */
function cancelSubscription(
  subscriber: RedisClient,
  channels: readonly string[],
  onMessage: (channel: string, message: string) => void,
) {
  const cluster = subscriber.isCluster ? (subscriber as Cluster) : null;
  const event = cluster ? 'smessage' : 'message';
  return {
    async subscribe() {
      subscriber.on(event, onMessage);
      if (cluster) await Promise.all(channels.map((channel) => cluster.ssubscribe(channel)));
      else await subscriber.subscribe(...channels);
    },
    async unsubscribe() {
      subscriber.off(event, onMessage);
      if (cluster) await Promise.all(channels.map((channel) => cluster.sunsubscribe(channel)));
      else await subscriber.unsubscribe(...channels);
    },
  };
}
