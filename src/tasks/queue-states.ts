import type { Queue } from 'bullmq';
import type { Partitions } from '../../core/partitions.js';
import { againOnNoScript } from '../../core/failover-errors.js';

/** The job states a queue's counts are read for, in BullMQ's own names (`waiting` is its `wait` list). */
export const QUEUE_COUNT_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;

export type QueueCountState = (typeof QUEUE_COUNT_STATES)[number];

/** One partition's BullMQ queue as BullMQ itself reports it, and as Bull Board or Taskforce show it. */
export type QueueState = Record<QueueCountState, number> & {
  /** The queue's prefix and name, as BullMQ joins them in its keys: unique in a Redis. */
  id: string;
  /** The BullMQ queue name (`tasks`, core/keys.ts QUEUE_NAME). */
  name: string;
  /** Its key prefix: the partition's, with the partition's hash tag. */
  prefix: string;
  partition: number;
  /** Paused with BullMQ's queue.pause() (by Bull Board, Taskforce or a script): no job of it starts. */
  paused: boolean;
};

/**
 * Every partition's queue read through BullMQ's own API: `isPaused()` (one HEXISTS) and
 * `getJobCounts()` (one read-only script), in each queue's own slot; nothing is written. Two
 * commands per partition, all in flight at once.
 */
export function readQueueStates(queues: readonly Queue[], partitions: Partitions): Promise<QueueState[]> {
  return Promise.all(
    partitions.all.map(async ({ index, keys }) => {
      const queue = queues[index]!;
      const [paused, counts] = await Promise.all([
        queue.isPaused(),
        againOnNoScript(() => queue.getJobCounts(...QUEUE_COUNT_STATES)),
      ]);
      const jobs = Object.fromEntries(QUEUE_COUNT_STATES.map((state) => [state, counts[state] ?? 0]));
      return {
        id: `${keys.prefix}:${queue.name}`,
        name: queue.name,
        prefix: keys.prefix,
        partition: index,
        paused,
        ...(jobs as Record<QueueCountState, number>),
      };
    }),
  );
}
