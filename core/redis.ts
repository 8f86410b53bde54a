import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * A Redis connection that reconnects by itself and logs its state changes once each.
 * `blocking` connections (BullMQ workers, subscribers) wait for Redis instead of failing commands.
 * `autoPipelining` sends the commands issued in one tick in one write: the API's many concurrent
 * requests then cost far fewer system calls, in the API and in Redis. `onReconnect` is called each
 * time the connection is ready again after its first time (after an error or a close alike).
 */
export function createRedis(
  url: string,
  logger: Logger,
  {
    blocking = false,
    name = 'redis',
    autoPipelining = false,
    onReconnect,
  }: { blocking?: boolean; name?: string; autoPipelining?: boolean; onReconnect?: () => void } = {},
): Redis {
  const options: RedisOptions = {
    connectionName: name,
    maxRetriesPerRequest: blocking ? null : 2,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000), // milliseconds between reconnects
    lazyConnect: false,
    enableAutoPipelining: autoPipelining,
  };
  const redis = new Redis(url, options);
  let down = false;
  let wasReady = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn({ err: error.message, connection: name }, 'Redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ connection: name }, 'Redis connection back');
    down = false;
    if (wasReady) onReconnect?.();
    wasReady = true;
  });
  return redis;
}

/** Resolves when the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    function onReady() {
      clearTimeout(timer);
      resolve();
    }
    redis.once('ready', onReady);
  });
}

/** quit() politely, disconnect() when Redis is not there to answer. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}

/** One try, no retries: whether a Redis answers at `url` right now. */
export async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
