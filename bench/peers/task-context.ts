/**
 * What the peers of the `create` suite share with the real API: the same Redis connections, task
 * store, queue, rate limiter and TaskService, built as src/api.ts builds them, and the same schema.
 * Each peer is an entry point of its own, configured from the environment as src/main.ts is.
 */
import type { GraphQLSchema } from 'graphql';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createKeys, type Keys } from '../../core/keys.js';
import { createLogger, type Logger } from '../../core/logger.js';
import { closeRedis, createRedis, waitForRedis } from '../../core/redis.js';
import { createTaskQueue } from '../../core/task-queue.js';
import { createTaskStore, type TaskStore } from '../../core/task-store.js';
import { createWorkerRegistry } from '../../core/worker-registry.js';
import { defaultAbuseProtection } from '../../src/abuse-protection.js';
import { clientAddress } from '../../src/client-address.js';
import type { Context } from '../../src/graphql/context.js';
import { buildTaskSchema } from '../../src/graphql/schema.js';
import { createPubSub, type TaskPubSub } from '../../src/pubsub.js';
import { createRateLimiter, type RateLimiter } from '../../src/rate-limiter.js';
import { createTaskService, type TaskService } from '../../src/task-service.js';

export interface PeerEnv {
  port: number;
  host: string;
  redisUrl: string;
  prefix: string;
  logLevel: string;
  rateLimitCreates: number;
  /** RESULT_TTL's default in src/config.ts. */
  resultTtlSeconds: number;
}

export function peerEnv(env: NodeJS.ProcessEnv = process.env): PeerEnv {
  const prefix = env.REDIS_KEY_PREFIX;
  const port = Number(env.PORT);
  if (!prefix || !Number.isInteger(port) || port <= 0) throw new Error('REDIS_KEY_PREFIX and PORT must be set');
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix,
    logLevel: env.LOG_LEVEL ?? 'warn',
    rateLimitCreates: Number(env.RATE_LIMIT_CREATES ?? defaultAbuseProtection.rateLimitCreates),
    resultTtlSeconds: 3600,
  };
}

export interface TaskContext {
  env: PeerEnv;
  logger: Logger;
  redis: Redis;
  keys: Keys;
  store: TaskStore;
  queue: Queue;
  pubsub: TaskPubSub;
  createLimiter: RateLimiter;
  tasks: TaskService;
  /** The context of one request from this socket address, with authentication off (as in the suite's API). */
  contextFor(remoteAddress: string | undefined): Context;
  /** Whether Redis answers, for /readyz. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export async function createTaskContext(name: string, env: PeerEnv = peerEnv()): Promise<TaskContext> {
  const logger = createLogger({ name, level: env.logLevel, pretty: false });
  const redis = createRedis(env.redisUrl, logger, { name, autoPipelining: true }); // as src/main.ts
  const subscriber = createRedis(env.redisUrl, logger, { blocking: true, name: `${name}-subscriber` });
  await Promise.all([waitForRedis(redis), waitForRedis(subscriber)]);
  const keys = createKeys(env.prefix);
  const pubsub = createPubSub({ publisher: redis, subscriber });
  const store = createTaskStore(redis, keys);
  const queue = createTaskQueue(redis, keys.prefix);
  queue.on('error', (error) => logger.warn({ err: error.message }, 'queue error'));
  const createLimiter = createRateLimiter(redis, keys, 'create', {
    limit: env.rateLimitCreates,
    windowSeconds: defaultAbuseProtection.rateLimitWindowSeconds,
  });
  const tasks = createTaskService({
    store,
    queue,
    registry: createWorkerRegistry(redis, keys),
    pubsub,
    keys,
    resultTtlSeconds: env.resultTtlSeconds,
    createLimiter,
    logger,
  });
  return {
    env,
    logger,
    redis,
    keys,
    store,
    queue,
    pubsub,
    createLimiter,
    tasks,
    contextFor: (remoteAddress) => ({ tasks, caller: { client: clientAddress(remoteAddress), owner: null } }),
    ready: () =>
      redis.ping().then(
        () => true,
        () => false,
      ),
    async close() {
      await queue.close().catch(() => undefined);
      await pubsub.close();
      await closeRedis(redis);
    },
  };
}

/** The schema of src/api.ts, over this context's pub/sub (built in the peer's own process). */
export function peerSchema(context: TaskContext): Promise<GraphQLSchema> {
  return buildTaskSchema(context.pubsub);
}
