import { createBullmqTelemetry } from '../core/bullmq-telemetry.js';
import type { Logger } from '../core/logger.js';
import { checkPartitionCount } from '../core/partition-count.js';
import { createPartitions } from '../core/partitions.js';
import { Registry } from 'prom-client';
import { collectProcessMetrics } from '../core/metrics.js';
import { closeRedis, createRedis, waitForRedis } from '../core/redis.js';
import type { WorkerConfig } from './config.js';
import { taskKinds, type TaskKind } from '../core/task-kinds/index.js';
import { createMetricsServer, type MetricsServer } from './metrics-server.js';
import { createTaskWorker, type TaskWorker, type WorkerConnections } from './task-worker.js';
import { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.js';

/** A connection that does not close within this long (Redis away) is dropped. */
const CLOSE_DEADLINE_MS = 2_000;

export interface WorkerOptions {
  logger: Logger;
  /** The kinds it runs; every kind of tasks/ by default. */
  kinds?: readonly TaskKind[];
  /** Where a kind given in `kinds` that is not of tasks/ was loaded from, for a thread to load it. */
  kindFile?: (name: string) => URL | undefined;
}

async function closeWithin(redis: WorkerConnections[keyof WorkerConnections]): Promise<void> {
  const timer = setTimeout(() => redis.disconnect(), CLOSE_DEADLINE_MS);
  await closeRedis(redis);
  clearTimeout(timer);
}

/** The worker's three connections, each named after it (CLIENT LIST shows whose it is). */
function workerConnections(
  redisConfig: WorkerConfig['redis'],
  workerName: string,
  logger: Logger,
  metrics: WorkerMetrics,
): WorkerConnections {
  const connection = (name: string, { autoPipelining = false, sharded = false } = {}) =>
    createRedis(redisConfig, logger, {
      blocking: true,
      name: `${workerName}-${name}`,
      autoPipelining,
      sharded,
      onReconnect: () => metrics.redisReconnected(name),
    });
  return {
    redis: connection('bullmq'),
    commands: connection('commands', { autoPipelining: true }),
    subscriber: connection('cancel', { sharded: true }),
  };
}

/**
 * The composition root of the worker, which worker/main.ts and the tests build it with: its Redis
 * connections, the task worker on them, its metrics (served when METRICS_PORT is set), and a
 * close() that stops the worker, then closes them.
 */
export async function createWorker(
  { redis: redisConfig, worker, metrics: metricsConfig, traces, creationAllowance }: WorkerConfig,
  { logger, kinds = taskKinds, kindFile }: WorkerOptions,
): Promise<TaskWorker> {
  const register = new Registry();
  collectProcessMetrics(register);
  const metrics = createWorkerMetrics(register, {
    kinds: kinds.map((kind) => kind.name),
    concurrency: worker.concurrency,
    connections: ['bullmq', 'commands', 'cancel'],
  });
  const connections = workerConnections(redisConfig, worker.name, logger, metrics);
  const partitions = createPartitions(redisConfig.keyPrefix, redisConfig.partitions);
  const closeConnections = () => Promise.all(Object.values(connections).map(closeWithin));
  let server: MetricsServer | null = null;
  const closeMetrics = async () => {
    await server?.close();
    register.clear();
  };
  let taskWorker: TaskWorker;
  try {
    if (metricsConfig.port !== null) {
      const ready = () => Object.values(connections).every((redis) => redis.status === 'ready');
      server = await createMetricsServer({
        register,
        host: metricsConfig.host,
        port: metricsConfig.port,
        ready,
        logger,
      });
    }
    await Promise.all(Object.values(connections).map((redis) => waitForRedis(redis)));
    await checkPartitionCount(connections.commands, partitions);
    taskWorker = await createTaskWorker({
      ...connections,
      partitions,
      name: worker.name,
      kinds,
      kindFile,
      concurrency: worker.concurrency,
      scheduleConcurrency: worker.scheduleConcurrency,
      threads: worker.threads,
      creationAllowance,
      maxTimeoutMs: worker.maxTimeoutMs,
      maxLogLines: worker.maxLogLines,
      shutdownTimeoutMs: worker.shutdownTimeoutMs,
      stalled: worker.stalled,
      metrics,
      ...(traces && { telemetry: createBullmqTelemetry() }),
      logger,
    });
  } catch (error) {
    await closeConnections();
    await closeMetrics();
    throw error;
  }

  let closing: Promise<void> | null = null;
  return {
    name: taskWorker.name,
    close() {
      closing ??= taskWorker
        .close()
        .finally(closeConnections)
        .finally(closeMetrics)
        .then(() => undefined);
      return closing;
    },
  };
}
