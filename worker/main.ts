import { createKeys } from '../core/keys.js';
import { MAX_SLEEP_SECONDS } from '../core/task-kinds/sleep-task.js';
import { runUntilSignal } from '../core/entry-point.js';
import { createLogger, wantsPrettyLogs, type Logger } from '../core/logger.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import { loadWorkerConfig } from './config.js';
import { processors } from './processors/index.js';
import { createTaskWorker } from './task-worker.js';

let logger: Logger | undefined;

await runUntilSignal(
  async () => {
    const config = loadWorkerConfig(process.env);
    logger = createLogger({ name: 'worker', level: config.LOG_LEVEL, pretty: wantsPrettyLogs(config.LOG_FORMAT) });
    const redis = createRedis(config.REDIS_URL, logger, { blocking: true, name: 'worker' });
    const commands = createRedis(config.REDIS_URL, logger, {
      blocking: true,
      name: 'worker-commands',
      autoPipelining: true,
    });
    const subscriber = createRedis(config.REDIS_URL, logger, { blocking: true, name: 'worker-cancel' });
    if (config.WORKER_MAX_TIMEOUT <= MAX_SLEEP_SECONDS) {
      logger.warn(
        `WORKER_MAX_TIMEOUT is ${config.WORKER_MAX_TIMEOUT} s but the API accepts sleeps of up to ${MAX_SLEEP_SECONDS} s: longer ones will fail`,
      );
    }
    await Promise.all([waitForRedis(redis), waitForRedis(commands), waitForRedis(subscriber)]);
    const worker = await createTaskWorker({
      redis,
      commands,
      subscriber,
      keys: createKeys(config.REDIS_KEY_PREFIX),
      name: config.WORKER_NAME,
      processors,
      concurrency: config.WORKER_CONCURRENCY,
      maxTimeoutSeconds: config.WORKER_MAX_TIMEOUT,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT * 1000,
      stalled: {
        lockDurationMs: config.WORKER_LOCK_DURATION * 1000,
        checkEveryMs: config.WORKER_STALLED_INTERVAL * 1000,
        maxCount: config.WORKER_MAX_STALLED,
      },
      logger,
    });
    // Running tasks get SHUTDOWN_TIMEOUT, then a little more to be handed back and to close Redis.
    return { close: () => worker.close(), stopDeadlineMs: config.SHUTDOWN_TIMEOUT * 1000 + 15_000 };
  },
  { logger: () => logger },
);
