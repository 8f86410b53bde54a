import type { Logger } from '../core/logger.js';
import { checkPartitionCount } from '../core/partition-count.js';
import { createPartitions } from '../core/partitions.js';
import { closeRedis, createRedis, waitForRedis } from '../core/redis.js';
import type { WorkerConfig } from './config.js';
import { taskProcessors } from './processors/index.js';
import type { TaskProcessor } from './processors/task-processor.js';
import { createTaskWorker, type TaskWorker, type WorkerConnections } from './task-worker.js';

/** A connection that does not close within this long (Redis away) is dropped. */
const CLOSE_DEADLINE_MS = 2_000;

export interface WorkerOptions {
  logger: Logger;
  /** The kinds it runs; every kind of the service by default. */
  processors?: readonly TaskProcessor[];
}

async function closeWithin(redis: WorkerConnections[keyof WorkerConnections]): Promise<void> {
  const timer = setTimeout(() => redis.disconnect(), CLOSE_DEADLINE_MS);
  await closeRedis(redis);
  clearTimeout(timer);
}

/**
 * The composition root of the worker, which worker/main.ts and the tests build it with: its Redis
 * connections, the task worker on them, and a close() that stops the worker, then closes them.
 */
export async function createWorker(
  { redis: redisConfig, worker }: WorkerConfig,
  { logger, processors = taskProcessors }: WorkerOptions,
): Promise<TaskWorker> {
  const connection = (name: string, { autoPipelining = false, sharded = false } = {}) =>
    createRedis(redisConfig, logger, { blocking: true, name: `${worker.name}-${name}`, autoPipelining, sharded });
  const connections: WorkerConnections = {
    redis: connection('bullmq'),
    commands: connection('commands', { autoPipelining: true }),
    subscriber: connection('cancel', { sharded: true }),
  };
  const partitions = createPartitions(redisConfig.keyPrefix, redisConfig.partitions);
  const closeConnections = () => Promise.all(Object.values(connections).map(closeWithin));
  let taskWorker: TaskWorker;
  try {
    await Promise.all(Object.values(connections).map((redis) => waitForRedis(redis)));
    await checkPartitionCount(connections.commands, partitions);
    taskWorker = await createTaskWorker({
      ...connections,
      partitions,
      name: worker.name,
      processors,
      concurrency: worker.concurrency,
      maxTimeoutMs: worker.maxTimeoutMs,
      shutdownTimeoutMs: worker.shutdownTimeoutMs,
      stalled: worker.stalled,
      logger,
    });
  } catch (error) {
    await closeConnections();
    throw error;
  }

  let closing: Promise<void> | null = null;
  return {
    name: taskWorker.name,
    close() {
      closing ??= taskWorker
        .close()
        .finally(closeConnections)
        .then(() => undefined);
      return closing;
    },
  };
}
