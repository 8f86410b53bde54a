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
    logger = createLogger({ name: 'worker', level: config.log.level, pretty: wantsPrettyLogs(config.log.format) });
    const redis = createRedis(config.redis.url, logger, { blocking: true, name: 'worker' });
    const commands = createRedis(config.redis.url, logger, {
      blocking: true,
      name: 'worker-commands',
      autoPipelining: true,
    });
    const subscriber = createRedis(config.redis.url, logger, { blocking: true, name: 'worker-cancel' });
    if (config.worker.maxTimeoutMs <= MAX_SLEEP_SECONDS * 1000) {
      logger.warn(
        `WORKER_MAX_TIMEOUT is ${config.worker.maxTimeoutMs / 1000} s but the API accepts sleeps of up to ${MAX_SLEEP_SECONDS} s: longer ones will fail`,
      );
    }
    await Promise.all([waitForRedis(redis), waitForRedis(commands), waitForRedis(subscriber)]);
    const worker = await createTaskWorker({
      redis,
      commands,
      subscriber,
      keys: createKeys(config.redis.keyPrefix),
      name: config.worker.name,
      processors,
      concurrency: config.worker.concurrency,
      maxTimeoutSeconds: config.worker.maxTimeoutMs / 1000,
      shutdownTimeoutMs: config.worker.shutdownTimeoutMs,
      stalled: config.worker.stalled,
      logger,
    });
    // Running tasks get SHUTDOWN_TIMEOUT, then a little more to be handed back and to close Redis.
    return { close: () => worker.close(), stopDeadlineMs: config.worker.shutdownTimeoutMs + 15_000 };
  },
  { logger: () => logger },
);
