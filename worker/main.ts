import { runUntilSignal } from '../core/entry-point.js';
import { createLogger, wantsPrettyLogs, type Logger } from '../core/logger.js';
import { loadWorkerConfig } from './config.js';

let logger: Logger | undefined;

await runUntilSignal(
  async () => {
    const config = loadWorkerConfig(process.env);
    logger = createLogger({ name: 'worker', level: config.log.level, pretty: wantsPrettyLogs(config.log.format) });
    // The kinds load here, so that one that does not load stops the start with its file named.
    const { taskKinds } = await import('../core/task-kinds/index.js');
    const maxSeconds = config.worker.maxTimeoutMs / 1000;
    for (const kind of taskKinds) {
      if (kind.maxSeconds !== undefined && kind.maxSeconds > maxSeconds) {
        logger.warn(
          `WORKER_MAX_TIMEOUT is ${maxSeconds} s but ${kind.name} runs may take ${kind.maxSeconds} s (maxSeconds): longer ones will fail`,
        );
      }
    }
    // The SDK starts before the worker is loaded; with no endpoint set it is not loaded at all.
    const tracing =
      config.traces &&
      (await import('../core/tracing-sdk.js')).startTracing(config.traces, { serviceName: 'task-service-worker' });
    const { createWorker } = await import('./worker.js');
    const worker = await createWorker(config, { logger });
    // Running tasks get SHUTDOWN_TIMEOUT, then a little more to be handed back and to close Redis.
    return {
      close: () => worker.close().finally(() => tracing?.close()),
      stopDeadlineMs: config.worker.shutdownTimeoutMs + 15_000,
    };
  },
  { logger: () => logger },
);
