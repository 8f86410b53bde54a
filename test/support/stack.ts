import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Keys } from '../../core/keys.js';
import type { RateLimit } from '../../core/rate-limiter.js';
import { createLogger } from '../../core/logger.js';
import { createPartitions, type Partitions } from '../../core/partitions.js';
import { closeRedis, createRedis, type RedisClient } from '../../core/redis.js';
import { createTaskQueues } from '../../core/task-queue.js';
import { createApi } from '../../src/api.js';
import { parseApiConfig, type ApiConfig } from '../../src/config.js';
import type { Context } from '../../src/graphql/context.js';
import { parseWorkerConfig } from '../../worker/config.js';
import type { TaskKind } from '../../core/task-kinds/index.js';
import type { StalledOptions } from '../../worker/job-workers.js';
import type { TaskWorker } from '../../worker/task-worker.js';
import { createWorker } from '../../worker/worker.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const projectDir = join(import.meta.dirname, '..', '..');

export const logger = createLogger({ name: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false });

export interface TestApi {
  url: string;
  /** The connection name of its pub/sub subscriber, to find it in CLIENT LIST. */
  subscriberName: string;
  close(): Promise<void>;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : DeepPartial<T[K]> };

/** The configuration with the parts a test sets; arrays and plain values replace, objects merge. */
function merged<T>(base: T, overrides: DeepPartial<T> | undefined): T {
  if (overrides === undefined) return base;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return overrides as T;
  const result = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    result[key] = merged((base as Record<string, unknown>)[key], value as DeepPartial<unknown>);
  }
  return result as T;
}

export interface ApiOverrides extends DeepPartial<ApiConfig> {
  /** Apollo plugins of the test's own, after the service's. */
  plugins?: ApolloServerPlugin<Context>[];
}

export interface TestStack {
  /** The keys of the service as a whole; with one partition, the partition's too. */
  keys: Keys;
  partitions: Partitions;
  /** A connection of the test's own, to look at what the service wrote. */
  redis: RedisClient;
  /**
   * An API with the service's default configuration but for what the test sets, such as a low rate
   * limit or authentication on. `http.port` 0 (the default) takes a free one; a given port lets a
   * test restart the API where it was.
   */
  startApi(overrides?: ApiOverrides): Promise<TestApi>;
  startWorker(options?: WorkerOptions): Promise<TaskWorker>;
  /** Jobs in BullMQ, by state. */
  jobCounts(): Promise<Record<string, number>>;
  /** Closes everything it started, and deletes every key under its prefix. */
  close(): Promise<void>;
}

/**
 * Short locks and stall checks (WORKER_LOCK_DURATION=2, WORKER_STALLED_INTERVAL=1), as an operator
 * who wants lost tasks back quickly sets them: a task whose worker died, or lost its lock in a
 * failover, is taken up again within about three seconds.
 */
export const quickStall: StalledOptions = { lockDurationMs: 2_000, checkEveryMs: 1_000, maxCount: 2 };

export interface WorkerOptions {
  concurrency?: number;
  maxTimeoutSeconds?: number;
  name?: string;
  /** The kinds it runs; every kind of the service by default. */
  kinds?: readonly TaskKind[];
  /** Where a kind of `kinds` that is not of tasks/ was loaded from, for a thread to load it. */
  kindFile?: (name: string) => URL | undefined;
  /** Short values let a test see a dead worker's task taken up again within seconds. */
  stalled?: StalledOptions;
  /** Serves /metrics, /healthz and /readyz on this port of 127.0.0.1 (METRICS_PORT); off by default. */
  metricsPort?: number;
  /** Lines a task's log keeps (MAX_TASK_LOG_LINES). */
  maxLogLines?: number;
  /** The creation allowance its schedule runs take from: give it the API's `limits` when a test sets those. */
  creationAllowance?: RateLimit;
}

/**
 * Real API instances and workers, under a key prefix of their own, on the shared Redis or on the one
 * at `redisUrl` (a test's own redis-server).
 */
export async function createTestStack({
  redisUrl = REDIS_URL,
  partitions: count = 1,
  redisVariables = { REDIS_URL: redisUrl },
}: {
  redisUrl?: string;
  partitions?: number;
  /** Where Redis is, as the service is told: a Redis Cluster's seeds or Sentinels instead of REDIS_URL. */
  redisVariables?: Record<string, string>;
} = {}): Promise<TestStack> {
  const partitions = createPartitions(`{test-${randomUUID()}}`, count);
  const keys = partitions.meta;
  const variables = { ...redisVariables, REDIS_KEY_PREFIX: keys.prefix, TASK_PARTITIONS: String(count) };
  // Waits for Redis rather than failing: a test may stop its own Redis, and reconnecting is expected.
  const redis = createRedis(parseWorkerConfig(variables).redis, logger, { blocking: true, name: 'test' });
  const queues = createTaskQueues(redis, partitions);
  for (const queue of queues) queue.on('error', () => undefined);
  const closers: (() => Promise<void>)[] = [];

  return {
    keys,
    partitions,
    redis,

    async startApi({ plugins, ...overrides } = {}) {
      const defaults = parseApiConfig({
        ...variables,
        PORT: '0',
        HOST: '127.0.0.1',
      });
      const name = `test-api-${randomUUID()}`;
      const api = await createApi(merged(defaults, overrides), {
        logger,
        name,
        clientDir: join(projectDir, 'client', 'dist'),
        plugins,
      });
      const url = await api.listen();
      closers.push(() => api.close());
      return { url, subscriberName: `${name}-subscriber`, close: () => api.close() };
    },

    async startWorker({
      concurrency = 50,
      maxTimeoutSeconds = 400,
      name = `test-worker-${randomUUID().slice(0, 8)}`,
      kinds,
      kindFile,
      stalled,
      metricsPort,
      maxLogLines,
      creationAllowance,
    }: WorkerOptions = {}) {
      // The service's own defaults but for what the test sets (a dead worker's task is taken up
      // within 10 to 15 s unless `stalled` says otherwise).
      const defaults = parseWorkerConfig({
        ...variables,
        WORKER_NAME: name,
        HOST: '127.0.0.1',
        METRICS_PORT: metricsPort?.toString(),
      });
      const config = {
        ...defaults,
        worker: {
          ...defaults.worker,
          concurrency,
          maxTimeoutMs: maxTimeoutSeconds * 1000,
          shutdownTimeoutMs: 2_000,
          stalled: stalled ?? defaults.worker.stalled,
          maxLogLines: maxLogLines ?? defaults.worker.maxLogLines,
        },
        creationAllowance: creationAllowance ?? defaults.creationAllowance,
      };
      const worker = await createWorker(config, { logger, kinds, kindFile });
      closers.push(() => worker.close());
      return worker;
    },

    async jobCounts() {
      const counts = await Promise.all(
        queues.map((queue) => queue.getJobCounts('wait', 'active', 'delayed', 'completed', 'failed', 'prioritized')),
      );
      const sum: Record<string, number> = {};
      for (const tally of counts) for (const [state, n] of Object.entries(tally)) sum[state] = (sum[state] ?? 0) + n;
      return sum;
    },

    async close() {
      for (const close of closers.reverse()) await close();
      await Promise.all(queues.map((queue) => queue.close()));
      // Every partition's tag starts as the prefix's does: `{test-<uuid>` then `}` or `:<partition>`.
      // Test prefixes hold a few keys only; on a cluster, each master holds its own.
      const pattern = `${keys.prefix.slice(0, -1)}*`;
      const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
      for (const node of nodes) {
        // A master a test killed is still listed until the cluster client's next refresh.
        const stale = await node.keys(pattern).catch(() => []);
        for (const key of stale) await node.del(key);
      }
      await closeRedis(redis);
    },
  };
}
