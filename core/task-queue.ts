import { Queue, type ConnectionOptions, type Telemetry } from 'bullmq';
import { QUEUE_NAME } from './keys.js';
import type { Partitions } from './partitions.js';

/**
 * BullMQ runs the tasks; the task records (state, progress, result) live in our own hashes, which
 * clients read. The job mirrors its task for the tools BullMQ users watch queues with (Bull Board,
 * Taskforce): its progress, its result or error, kept as long as the task (core/enqueue-task.ts).
 * The job id is the task id; the job name is the task kind; the job data is the task input as it
 * was created (the record's copy is what runs).
 *
 * One queue per partition, under the partition's prefix: a BullMQ queue lives in one slot, so on a
 * Redis Cluster only queues with different hash tags spread over the masters.
 */
export function createTaskQueues(
  connection: ConnectionOptions,
  partitions: Partitions,
  telemetry?: Telemetry,
): Queue[] {
  return partitions.all.map(({ keys }) => createTaskQueue(connection, keys.prefix, telemetry));
}

/** The queue under one partition's prefix; with `telemetry` (core/bullmq-telemetry.ts) when traces are on. */
export function createTaskQueue(connection: ConnectionOptions, prefix: string, telemetry?: Telemetry): Queue {
  return new Queue(QUEUE_NAME, {
    connection,
    prefix,
    ...(telemetry && { telemetry }),
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
}
