import type { Job, Telemetry, Worker } from 'bullmq';
import { QUEUE_NAME } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { Partitions } from '../core/partitions.js';
import type { RedisClient } from '../core/redis.js';
import { evenShare, stalledJobOptions, type StalledOptions } from './job-workers.js';
import { keepNewerLocks } from './keep-newer-locks.js';
import { CANCEL_REASON, HAND_BACK_REASON, JobSkippedError } from './run-errors.js';
import { TaskJobWorker } from './unreadable-job-data.js';

/**
 * A BullMQ worker takes up jobs one at a time, each fetch awaited before the next, until it holds
 * its concurrency's worth: at high concurrency taking up a full queue takes longer than the tasks'
 * first steps. Each BullMQ worker of the process gets at most this many of its tasks, so several
 * fetch in parallel.
 */
const TASKS_PER_FETCH_LOOP = 250;

export interface TaskJobsOptions {
  /** For BullMQ (blocking commands). */
  redis: RedisClient;
  /** The process's own connection, to read a job BullMQ could not (unreadable-job-data.ts). */
  commands: RedisClient;
  partitions: Partitions;
  concurrency: number;
  stalled: StalledOptions;
  telemetry?: Telemetry;
  /** Runs a job of a partition's queue; BullMQ's `signal` is aborted by `cancel` and `handBackAll`. */
  process(partition: number, job: Job, token: string | undefined, signal: AbortSignal): Promise<unknown>;
  /** A job BullMQ found stalled (its worker stopped renewing its lock): it runs again. */
  onStalled(jobId: string): void;
  /**
   * A job BullMQ failed for good: also one it failed without running the processor (stalled too
   * often), which the processor could not record.
   */
  onFailedForGood(job: Job, error: Error): void;
  logger: Logger;
}

/** BullMQ's side of the task queues: its workers, their processor, listeners and cancels. */
export interface TaskJobs {
  waitUntilReady(): Promise<void>;
  /**
   * Starts taking jobs, once the worker has started: a task never runs under a start that has not
   * ended, which a stop would wait for (and Redis going away meanwhile would hold up).
   */
  run(): void;
  /** Aborts the signal of the job's run in this process, if it runs here. */
  cancel(taskId: string): void;
  /** Aborts every run of this process: each hands its task back to the queue. */
  handBackAll(): void;
  /** Stops taking jobs and waits for the running ones to end. */
  close(): Promise<void>;
}

/**
 * Every partition's queue gets its share of the concurrency, so each is fetched from as much as the
 * others: tasks are spread over the partitions evenly.
 */
export function createTaskJobs(options: TaskJobsOptions): TaskJobs {
  const { partitions, concurrency, logger } = options;
  const byPartition = partitions.all.map(({ keys }, index) => {
    const share = evenShare(concurrency, partitions.count, index);
    const fetchLoops = Math.ceil(share / TASKS_PER_FETCH_LOOP);
    return Array.from({ length: fetchLoops }, (_, loop) =>
      createBullmqWorker(index, keys.prefix, evenShare(share, fetchLoops, loop)),
    );
  });
  const workers = byPartition.flat();

  function createBullmqWorker(partition: number, prefix: string, share: number): Worker {
    // Three parameters: BullMQ gives a processor that takes them an abort signal per job.
    const processor = keepNewerLocks((job, token, signal) =>
      options.process(partition, job, token, signal ?? new AbortController().signal),
    );
    const worker = new TaskJobWorker(
      QUEUE_NAME,
      processor,
      {
        connection: options.redis,
        prefix,
        concurrency: share,
        autorun: false,
        ...stalledJobOptions(options.stalled),
        ...(options.telemetry && { telemetry: options.telemetry }),
      },
      options.commands,
    );
    worker.on('error', (error) => logger.warn({ err: error.message }, 'worker error'));
    worker.on('stalled', (jobId) => options.onStalled(jobId));
    worker.on('failed', (job, error) => {
      // BullMQ's own decision: a job it runs again has no finishedOn. A skip is no failure of the task.
      if (!job?.id || !job.finishedOn || error instanceof JobSkippedError) return;
      options.onFailedForGood(job, error);
    });
    return worker;
  }

  return {
    async waitUntilReady() {
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    },
    run() {
      for (const worker of workers) {
        worker.run().catch((error: Error) => logger.error({ err: error.message }, 'worker stopped taking tasks'));
      }
    },
    cancel(taskId) {
      const partition = partitions.ofTask(taskId);
      if (!partition) return;
      for (const worker of byPartition[partition.index] ?? []) worker.cancelJob(taskId, CANCEL_REASON);
    },
    handBackAll() {
      for (const worker of workers) worker.cancelAllJobs(HAND_BACK_REASON);
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}
