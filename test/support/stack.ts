import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createKeys, type Keys } from '../../core/keys.js';
import { createLogger } from '../../core/logger.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import { createTaskQueue } from '../../core/task-queue.js';
import type { AbuseProtection } from '../../src/abuse-protection.js';
import { createApi } from '../../src/api.js';
import type { AuthOptions } from '../../src/auth.js';
import { processors } from '../../worker/processors/index.js';
import type { TaskProcessor } from '../../worker/processors/task-processor.js';
import { createTaskWorker, type StalledOptions, type TaskWorker } from '../../worker/task-worker.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const projectDir = join(import.meta.dirname, '..', '..');

export const logger = createLogger({ name: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false });

export interface TestApi {
  url: string;
  /** The connection name of its pub/sub subscriber, to find it in CLIENT LIST. */
  subscriberName: string;
  close(): Promise<void>;
}

export interface TestStack {
  keys: Keys;
  /** A connection of the test's own, to look at what the service wrote. */
  redis: Redis;
  /** `port` 0 (the default) takes a free one; a given port lets a test restart the API where it was. */
  startApi(options?: {
    resultTtlSeconds?: number;
    port?: number;
    /** Limits of the test's own, such as a low rate limit; the others keep the service's defaults. */
    abuseProtection?: Partial<AbuseProtection>;
    /** Authentication on, with a secret or a JWKS URL of the test's own. */
    auth?: AuthOptions;
  }): Promise<TestApi>;
  startWorker(options?: WorkerOptions): Promise<TaskWorker>;
  /** Jobs in BullMQ, by state. */
  jobCounts(): Promise<Record<string, number>>;
  /** Closes everything it started, and deletes every key under its prefix. */
  close(): Promise<void>;
}

export interface WorkerOptions {
  concurrency?: number;
  maxTimeoutSeconds?: number;
  name?: string;
  processors?: Record<string, TaskProcessor>;
  /** Short values let a test see a dead worker's task taken up again within seconds. */
  stalled?: StalledOptions;
}

/** The service's defaults (worker/config.ts): a dead worker's task is taken up within 10 to 15 s. */
const defaultStalled: StalledOptions = { lockDurationMs: 10_000, checkEveryMs: 5_000, maxCount: 2 };

/**
 * Real API instances and workers, under a key prefix of their own, on the shared Redis or on the one
 * at `redisUrl` (a test's own redis-server).
 */
export async function createTestStack({ redisUrl = REDIS_URL } = {}): Promise<TestStack> {
  const keys = createKeys(`{test-${randomUUID()}}`);
  const redis = new Redis(redisUrl);
  redis.on('error', () => undefined); // a test may stop its own Redis: reconnecting is expected
  const queue = createTaskQueue(redis, keys.prefix);
  queue.on('error', () => undefined);
  const closers: (() => Promise<void>)[] = [];

  return {
    keys,
    redis,

    async startApi({ resultTtlSeconds = 3600, port = 0, abuseProtection, auth } = {}) {
      const subscriberName = `test-subscriber-${randomUUID()}`;
      const apiRedis = createRedis(redisUrl, logger, { name: 'test-api', autoPipelining: true }); // as src/main.ts
      const subscriber = createRedis(redisUrl, logger, { blocking: true, name: subscriberName });
      await Promise.all([waitForRedis(apiRedis), waitForRedis(subscriber)]);
      const api = await createApi({
        redis: apiRedis,
        subscriber,
        keys,
        resultTtlSeconds,
        abuseProtection,
        auth,
        clientDir: join(projectDir, 'client', 'dist'),
        logger,
      });
      const url = await api.listen(port, '127.0.0.1');
      closers.push(() => api.close());
      return { url, subscriberName, close: () => api.close() };
    },

    async startWorker({
      concurrency = 50,
      maxTimeoutSeconds = 400,
      name = `test-worker-${randomUUID().slice(0, 8)}`,
      processors: workerProcessors = processors,
      stalled = defaultStalled,
    }: WorkerOptions = {}) {
      const workerRedis = createRedis(redisUrl, logger, { blocking: true, name: 'test-worker' });
      const commands = createRedis(redisUrl, logger, { blocking: true, name: 'test-worker', autoPipelining: true });
      const subscriber = createRedis(redisUrl, logger, { blocking: true, name: 'test-worker-cancel' });
      const worker = await createTaskWorker({
        redis: workerRedis,
        commands,
        subscriber,
        keys,
        name,
        processors: workerProcessors,
        concurrency,
        maxTimeoutSeconds,
        shutdownTimeoutMs: 2_000,
        stalled,
        logger,
      });
      closers.push(() => worker.close());
      return worker;
    },

    async jobCounts() {
      return queue.getJobCounts('wait', 'active', 'delayed', 'completed', 'failed', 'prioritized');
    },

    async close() {
      for (const close of closers.reverse()) await close();
      await queue.close();
      const stale = await redis.keys(`${keys.prefix}*`); // test prefixes hold a few keys only
      if (stale.length) await redis.del(...stale);
      await redis.quit();
    },
  };
}
