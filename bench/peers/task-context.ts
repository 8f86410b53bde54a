/**
 * What the peers of the `create` suite share with the real API: the task backend of its composition
 * root (src/api.ts) and the same admission of each operation, configured from the environment as
 * src/main.ts is. Each peer is an entry point of its own, and serves the backend's schema through
 * its own framework.
 */
import { createLogger, type Logger } from '../../core/logger.js';
import { createTaskBackend, type TaskBackend } from '../../src/api.js';
import { loadApiConfig, type ApiConfig } from '../../src/config.js';
import type { Context } from '../../src/graphql/context.js';
import { clientAddress } from '../../src/http/client-address.js';

export interface TaskContext {
  config: ApiConfig;
  logger: Logger;
  backend: TaskBackend;
  /** The context of one request from this socket address, with authentication off (as in the suite's API). */
  contextFor(remoteAddress: string | undefined): Context;
  /** Whether Redis answers, for /readyz. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export async function createTaskContext(name: string): Promise<TaskContext> {
  const config = loadApiConfig(process.env);
  const logger = createLogger({ name, level: config.log.level, pretty: false });
  const backend = await createTaskBackend(config, { logger, name });
  return {
    config,
    logger,
    backend,
    contextFor: (remoteAddress) => ({
      tasks: backend.tasks,
      schedules: backend.schedules,
      caller: { client: clientAddress(remoteAddress), owner: null },
    }),
    ready: () =>
      backend.redis.ping().then(
        () => true,
        () => false,
      ),
    close: () => backend.close(),
  };
}

/**
 * Runs an operation's admission as the API's Apollo plugin does; throws its refusal. The
 * benchmark's creates have no idempotency key and make no schedule: admission holds nothing for
 * them, and there is nothing to release after they have run.
 */
export async function admit(
  context: TaskContext,
  request: Parameters<TaskBackend['admission']['admit']>[0],
): Promise<void> {
  const answer = await context.backend.admission.admit(request);
  if ('refused' in answer) throw answer.refused;
}
