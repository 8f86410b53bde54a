import { QueueEvents, type Queue } from 'bullmq';
import type { Logger } from '../../core/logger.js';
import type { Partitions } from '../../core/partitions.js';
import { closeRedis, type RedisClient } from '../../core/redis.js';
import { taskKinds } from '../../core/task-kinds/index.js';
import type { TaskStore } from '../../core/task-store.js';

/** The error a task gets when its job was removed by something other than the service. */
export const JOB_REMOVED =
  "cancelled: its job was removed from the queue outside the service (Bull Board, Taskforce or BullMQ's API)";

/** Jobs in these states belong to finished tasks: removing them changes no task. */
const FINISHED_JOB_STATES: ReadonlySet<string> = new Set(['completed', 'failed']);

/** Tasks of each partition, kind and state (QUEUED, ACTIVE) one sweep looks at, at most. */
const TASKS_PER_SWEEP = 1_000;

export interface QueueWatchOptions {
  store: TaskStore;
  partitions: Partitions;
  /** Each partition's queue, by its index. */
  queues: readonly Queue[];
  /** The command connection, for the sweep's reads. */
  redis: RedisClient;
  /**
   * Opens a blocking connection for a partition's queue events (BullMQ's QueueEvents reads their
   * stream with a blocking command): one each, closed with the watch.
   */
  eventConnection: (partition: number) => RedisClient;
  /**
   * How often the sweep looks for tasks whose job is gone, and how old a task must be for it to
   * look: a new task's record is written just before its job (core/enqueue-task.ts).
   */
  sweep: { everyMs: number; graceMs: number };
  logger: Logger;
}

export interface QueueWatch {
  /** One pass of the sweep (the timer runs it too): answers the tasks it cancelled. */
  sweep(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Keeps tasks true to what is done to their jobs outside the service, in Bull Board, Taskforce or
 * with BullMQ's API. A job removed while its task waits or runs cancels the task, with an error that
 * says so, and its watchers get the end: BullMQ's `removed` event says so at once, and a sweep of the
 * waiting and running tasks finds the rest (clean, empty and obliterate send no event per job, and
 * an event published while no API ran is missed). Every API instance watches; a cancel is the same
 * whichever comes first.
 */
export function watchQueues(options: QueueWatchOptions): QueueWatch {
  const { store, partitions, queues, redis, logger } = options;
  const connections = partitions.all.map(({ index }) => options.eventConnection(index));
  const events = partitions.all.map(({ keys }, index) => {
    const queueEvents = new QueueEvents(queues[index]!.name, { connection: connections[index]!, prefix: keys.prefix });
    queueEvents.on('removed', ({ jobId, prev }) => {
      if (prev && FINISHED_JOB_STATES.has(prev)) return;
      if (partitions.ofTask(jobId)?.index !== index) return; // no task's (added by hand)
      void cancelWithoutJob(jobId);
    });
    queueEvents.on('error', (error) => logger.debug({ err: error.message }, 'queue events error'));
    return queueEvents;
  });

  /** Cancels a task whose job is gone; the store learns its name and owner from the record. */
  async function cancelWithoutJob(taskId: string, name: string = taskKinds[0]!.name): Promise<boolean> {
    try {
      const record = await store.cancel({ id: taskId, name }, JOB_REMOVED);
      if (!record) return false;
      logger.warn({ taskId, state: record.state }, 'task cancelled: its job was removed outside the service');
      return true;
    } catch (error) {
      logger.warn({ taskId, err: (error as Error).message }, 'could not cancel a task whose job was removed');
      return false;
    }
  }

  // Where each index's sweep goes on from: each pass reads the next TASKS_PER_SWEEP members.
  const cursors = new Map<string, string>();

  /** Tasks of one index (a partition's kind in one state) created before `before`, the next share of them. */
  async function nextShare(index: string, before: number): Promise<string[]> {
    const from = cursors.get(index);
    const members = await redis.zrange(index, from ? `(${from}` : '-', '+', 'BYLEX', 'LIMIT', 0, TASKS_PER_SWEEP);
    if (members.length < TASKS_PER_SWEEP) cursors.delete(index);
    else cursors.set(index, members.at(-1)!);
    // Members begin with the creation time (core/scripts/create.lua): `%015d:%06d:id`.
    return members.filter((member) => Number(member.slice(0, 15)) < before).map((member) => member.slice(23));
  }

  async function sweepShare(partition: number, name: string, state: 'QUEUED' | 'ACTIVE'): Promise<string[]> {
    const queue = queues[partition]!;
    const ids = await nextShare(
      partitions.all[partition]!.keys.index({ state, name }),
      Date.now() - options.sweep.graceMs,
    );
    // The job's own key, as BullMQ names it (queue.toKey): one EXISTS per task, in one pipeline.
    const exists = await Promise.all(ids.map((id) => redis.exists(queue.toKey(id))));
    const orphans = ids.filter((_, i) => exists[i] === 0);
    const cancelled = await Promise.all(orphans.map((id) => cancelWithoutJob(id, name)));
    return orphans.filter((_, i) => cancelled[i]);
  }

  let sweeping: Promise<string[]> | null = null;
  const sweep = () => {
    sweeping ??= Promise.all(
      partitions.all.flatMap(({ index }) =>
        taskKinds.flatMap((kind) => [sweepShare(index, kind.name, 'QUEUED'), sweepShare(index, kind.name, 'ACTIVE')]),
      ),
    )
      .then((shares) => shares.flat())
      .finally(() => (sweeping = null));
    return sweeping;
  };
  const timer = setInterval(() => {
    sweep().catch((error: Error) => logger.debug({ err: error.message }, 'sweep for removed jobs failed'));
  }, options.sweep.everyMs);

  return {
    sweep,
    async close() {
      clearInterval(timer);
      await sweeping?.catch(() => undefined);
      await Promise.all(events.map((queueEvents) => queueEvents.close()));
      await Promise.all(connections.map((connection) => closeRedis(connection)));
    },
  };
}
