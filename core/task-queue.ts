import { Queue, type ConnectionOptions } from 'bullmq';
import { QUEUE_NAME } from './keys.js';

/**
 * BullMQ only runs the tasks: the task records (state, progress, result) live in our own hashes,
 * so a finished job is removed from BullMQ at once and expiry is ours alone (core/scripts/forget-expired.lua).
 * The job id is the task id; the job name is the task kind; the job data is the task input.
 */
export function createTaskQueue(connection: ConnectionOptions, prefix: string): Queue {
  return new Queue(QUEUE_NAME, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
}
