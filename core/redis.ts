import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConfig } from './config.js';
import type { Logger } from './logger.js';

/** A connection to one Redis (alone or behind Sentinel) or to a Redis Cluster: the commands are the same. */
export type RedisClient = Redis | Cluster;

export interface ConnectionOptions {
  /** Its name in CLIENT LIST. */
  name?: string;
  /**
   * Blocking connections (BullMQ workers, subscribers) wait for Redis instead of failing commands,
   * as BullMQ asks of its workers (`maxRetriesPerRequest: null`). Others fail a command at once while
   * Redis is away, so that a request answers SERVICE_UNAVAILABLE instead of waiting.
   */
  blocking?: boolean;
  /**
   * Sends the commands issued in one tick in one write: the API's many concurrent requests then
   * cost far fewer system calls, in the API and in Redis.
   */
  autoPipelining?: boolean;
  /** A subscriber of sharded channels (SSUBSCRIBE): on a cluster, one connection per master. */
  sharded?: boolean;
  /** Called each time the connection is ready again after its first time (after an error or a close alike). */
  onReconnect?: () => void;
  /**
   * A command already sent when its connection drops fails at once, rather than waiting to be sent
   * again after the reconnect (ioredis' autoResendUnfulfilledCommands): the API's requests then
   * answer SERVICE_UNAVAILABLE while a master is lost, instead of waiting out the failover. Not for
   * the worker, whose steps would rather wait.
   */
  failFast?: boolean;
}

const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2_000); // milliseconds between reconnects

/**
 * After a failover the old master answers READONLY until it is told it is a replica: reconnect (and
 * so ask Sentinel, or the cluster, again) and send the command once more.
 */
const reconnectOnError = (error: Error) => (error.message.startsWith('READONLY') ? 2 : false);

/**
 * A connection that reconnects by itself and logs its state changes once each, to wherever the
 * configuration says Redis is.
 */
export function createRedis(
  config: Pick<RedisConfig, 'target' | 'username' | 'password'>,
  logger: Logger,
  {
    blocking = false,
    name = 'redis',
    autoPipelining = false,
    sharded = false,
    onReconnect,
    failFast = false,
  }: ConnectionOptions = {},
): RedisClient {
  const credentials = {
    ...(config.username !== undefined && { username: config.username }),
    ...(config.password !== undefined && { password: config.password }),
  };
  const options: RedisOptions = {
    connectionName: name,
    maxRetriesPerRequest: blocking ? null : 2,
    // A command sent while Redis is away fails at once on the producers' connections.
    enableOfflineQueue: blocking,
    retryStrategy,
    reconnectOnError,
    enableAutoPipelining: autoPipelining,
    autoResendUnfulfilledCommands: !failFast,
    ...credentials,
  };
  const { target } = config;
  let redis: RedisClient;
  if (target.mode === 'cluster') {
    // The cluster keeps the offline queue and the reconnects; each node's connection the rest.
    const clusterOptions: ClusterOptions = {
      redisOptions: {
        connectionName: name,
        maxRetriesPerRequest: options.maxRetriesPerRequest,
        autoResendUnfulfilledCommands: !failFast,
        reconnectOnError,
        ...credentials,
      },
      enableOfflineQueue: blocking,
      enableAutoPipelining: autoPipelining,
      shardedSubscribers: sharded,
      clusterRetryStrategy: retryStrategy,
      // A moved slot (a failover) is asked for again soon. The cluster's view is refreshed on every
      // MOVED and lost node anyway; the periodic refresh (ioredis' default, 5 s) is only a backstop,
      // and it costs each Cluster client milliseconds of CPU (BENCHMARKS.md, the cluster suite).
      // Producers give up on a slot without a master after a few tries, about half a second: a
      // request then answers SERVICE_UNAVAILABLE instead of waiting out the failover.
      retryDelayOnFailover: blocking ? 200 : 100,
      retryDelayOnClusterDown: blocking ? 200 : 100,
      retryDelayOnTryAgain: blocking ? 200 : 100,
      ...(!blocking && { maxRedirections: 5 }),
      slotsRefreshInterval: 5_000,
    };
    redis = new Cluster(target.nodes, clusterOptions);
  } else if (target.mode === 'sentinel') {
    redis = new Redis({ ...options, sentinels: target.sentinels, name: target.name, failoverDetector: true });
  } else {
    redis = new Redis(target.url, options);
  }
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
export async function waitForRedis(redis: RedisClient, timeoutMs = 10_000): Promise<void> {
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
export async function closeRedis(redis: RedisClient): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}

/** A connection for one question: it connects when told to, once, and never retries or queues. */
export function oneTryRedis(url: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  redis.on('error', () => undefined);
  return redis;
}

/** One try, no retries: whether a Redis answers at `url` right now. */
export async function redisAnswers(url: string): Promise<boolean> {
  const redis = oneTryRedis(url);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
