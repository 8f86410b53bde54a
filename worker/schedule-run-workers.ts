import type { Job, Telemetry, Worker } from 'bullmq';
import type { Logger } from '../core/logger.js';
import type { Partitions } from '../core/partitions.js';
import type { RedisClient } from '../core/redis.js';
import { SCHEDULE_QUEUE_NAME } from '../core/schedule-queue.js';
import { evenShare, stalledJobOptions, type StalledOptions } from './job-workers.js';
import { keepNewerLocks } from './keep-newer-locks.js';
import { TaskJobWorker } from './unreadable-job-data.js';

export interface ScheduleRunWorkersOptions {
  /** For BullMQ (blocking commands), as the tasks' workers. */
  redis: RedisClient;
  /** The worker's command connection: where a job BullMQ could not read is found (TaskJobWorker). */
  commands: RedisClient;
  partitions: Partitions;
  /** Turns a run's job into its task (worker/schedule-runs.ts). */
  run: (job: Job) => Promise<unknown>;
  /** Runs handled at once in this process (WORKER_SCHEDULE_CONCURRENCY), at least one per partition. */
  concurrency: number;
  /** As the tasks': a run whose worker died is taken up again by another. */
  stalled: StalledOptions;
  telemetry?: Telemetry;
  logger: Logger;
}

export interface ScheduleRunWorkers {
  /** Stops taking runs, and lets those under way end. */
  close(): Promise<void>;
}

/**
 * BullMQ workers of the queues of schedule runs (core/schedule-queue.ts), one per partition, with
 * a concurrency of their own: a run is taken when it falls due however many tasks hold the
 * process's task slots, and the task it creates then waits in the tasks queue like any other.
 * TaskJobWorker, as a job's data that cannot be read must not hold the queue up (a run reads its
 * schedule's record, not its job's data).
 */
export async function startScheduleRunWorkers({
  redis,
  commands,
  partitions,
  run,
  concurrency,
  stalled,
  telemetry,
  logger,
}: ScheduleRunWorkersOptions): Promise<ScheduleRunWorkers> {
  const workers: Worker[] = partitions.all.map(({ keys }, index) => {
    const worker = new TaskJobWorker(
      SCHEDULE_QUEUE_NAME,
      keepNewerLocks(run),
      {
        connection: redis,
        prefix: keys.prefix,
        concurrency: evenShare(concurrency, partitions.count, index),
        ...stalledJobOptions(stalled),
        ...(telemetry && { telemetry }),
      },
      commands,
    );
    worker.on('error', (error) => logger.warn({ err: error.message }, 'schedule run worker error'));
    worker.on('failed', (job, error) => {
      if (!job || (!job.finishedOn && job.attemptsMade < (job.opts.attempts ?? 1))) return;
      logger.warn({ scheduleId: job.repeatJobKey, jobId: job.id, err: error.message }, 'schedule run failed');
    });
    return worker;
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  return {
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}
