import { join } from 'node:path';
import { runUntilSignal } from '../core/entry-point.js';
import { createLogger, wantsPrettyLogs, type Logger } from '../core/logger.js';
import { projectRoot } from '../core/project-root.js';
import { loadApiConfig } from './config.js';
import { listeningNotice } from './http/static-files.js';

let logger: Logger | undefined;

await runUntilSignal(
  async () => {
    const config = loadApiConfig(process.env);
    logger = createLogger({ name: 'api', level: config.log.level, pretty: wantsPrettyLogs(config.log.format) });
    // The SDK starts before the API is loaded, so that node:http is instrumented before it serves;
    // with no endpoint set it is not loaded at all.
    const tracing =
      config.traces &&
      (await import('../core/tracing-sdk.js')).startTracing(config.traces, {
        serviceName: 'task-service-api',
        httpPaths: ['/graphql'],
      });
    const { createApi } = await import('./api.js');
    const clientDir = join(projectRoot(import.meta.url), 'client', 'dist');
    const api = await createApi(config, { logger, clientDir });
    const url = await api.listen();
    const notice = listeningNotice(url, clientDir);
    logger[notice.level](notice.message);
    return {
      close: () => api.close().finally(() => tracing?.close()),
      stopDeadlineMs: 15_000,
    };
  },
  { logger: () => logger },
);
