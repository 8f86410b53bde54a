import { join } from 'node:path';
import { createKeys } from '../core/keys.js';
import { runUntilSignal } from '../core/entry-point.js';
import { projectRoot } from '../core/project-root.js';
import { createLogger, wantsPrettyLogs, type Logger } from '../core/logger.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import { createApi } from './api.js';
import { abuseProtectionFrom, authOptionsFrom, loadApiConfig } from './config.js';

let logger: Logger | undefined;

await runUntilSignal(
  async () => {
    const config = loadApiConfig(process.env);
    logger = createLogger({ name: 'api', level: config.LOG_LEVEL, pretty: wantsPrettyLogs(config.LOG_FORMAT) });
    const redis = createRedis(config.REDIS_URL, logger, { name: 'api', autoPipelining: true });
    const subscriber = createRedis(config.REDIS_URL, logger, { blocking: true, name: 'api-subscriber' });
    await Promise.all([waitForRedis(redis), waitForRedis(subscriber)]);
    const api = await createApi({
      redis,
      subscriber,
      keys: createKeys(config.REDIS_KEY_PREFIX),
      resultTtlSeconds: config.RESULT_TTL,
      clientDir: join(projectRoot(import.meta.url), 'client', 'dist'),
      logger,
      abuseProtection: abuseProtectionFrom(config),
      auth: authOptionsFrom(config),
    });
    const url = await api.listen(config.PORT, config.HOST);
    logger.info(`dashboard at ${url}/ and playground at ${url}/graphql`);
    return { close: () => api.close(), stopDeadlineMs: 15_000 };
  },
  { logger: () => logger },
);
