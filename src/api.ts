import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { againOnNoScript } from '../core/failover-errors.js';
import type { Logger } from '../core/logger.js';
import { checkPartitionCount } from '../core/partition-count.js';
import { createPartitions, type Partitions } from '../core/partitions.js';
import { closeRedis, createRedis, waitForRedis, type RedisClient } from '../core/redis.js';
import { createBullmqTelemetry } from '../core/bullmq-telemetry.js';
import { createScheduleQueues } from '../core/schedule-queue.js';
import { createTaskQueues } from '../core/task-queue.js';
import { Registry } from 'prom-client';
import { collectProcessMetrics, sendMetrics } from '../core/metrics.js';
import { projectRoot } from '../core/project-root.js';
import { taskKinds } from '../core/task-kinds/index.js';
import { createScheduleStore } from '../core/schedule-store.js';
import { createTaskStore } from '../core/task-store.js';
import { createWorkerRegistry } from '../core/worker-registry.js';
import { createAuthenticator } from './auth.js';
import type { ApiConfig } from './config.js';
import { createErrorFormatter } from './errors.js';
import { createAdmission, type Admission } from './graphql/admission.js';
import type { Context } from './graphql/context.js';
import { costLimitRule } from './graphql/cost-limit-rule.js';
import { CLIENT_MANIFESTS, loadTrustedDocuments } from './graphql/document-manifests.js';
import { operationCost } from './graphql/operation-cost.js';
import { buildTaskSchema } from './graphql/schema.js';
import { createApolloServer } from './http/apollo-server.js';
import { createClientAddress } from './http/client-address.js';
import { createGraphqlHandler, MAX_BODY_BYTES } from './http/graphql-handler.js';
import { operationSpanPlugin } from './http/operation-span-plugin.js';
import { createReadyz, healthz } from './http/health.js';
import { createRequestListener } from './http/http-server.js';
import { createSchemaSdl } from './http/schema-sdl.js';
import { createStaticFiles } from './http/static-files.js';
import { resolveHttpDocument } from './http/trusted-documents-plugin.js';
import { createApiMetrics, type ApiMetrics } from './metrics/api-metrics.js';
import { registerTaskGauges } from './metrics/task-gauges.js';
import { createCreationAllowance, createRateLimiter } from '../core/rate-limiter.js';
import { createPubSub } from './tasks/pubsub.js';
import { createScheduleService, type ScheduleService } from './tasks/schedule-service.js';
import { createTaskHistory } from './tasks/task-history.js';
import { createTaskService, type TaskService } from './tasks/task-service.js';
import { watchQueues, type QueueWatch } from './tasks/queue-watch.js';
import { createWorkerFeed } from './tasks/worker-feed.js';
import { createDocumentCache } from './ws/document-cache.js';
import { createGraphqlWsServer } from './ws/graphql-ws-server.js';
import { createWsTransport } from './ws/ws-transport.js';

/**
 * The composition root of the API: src/main.ts, the tests and the benchmarks' peers build the
 * service with these two functions and nothing else. Each creates its own connections and closes
 * them, in order, in its memoized close().
 */

/**
 * Reads leave expired tasks out at once but never write; this forgets them, so a list's totalCount
 * may count an expired task for about this long. The same timer samples the backlog for the history
 * as each minute begins.
 */
const SWEEP_EVERY_MS = 1_000;

export interface TaskBackend {
  partitions: Partitions;
  /** The command connection, auto-pipelined: the commands of concurrent requests go out in one write. */
  redis: RedisClient;
  tasks: TaskService;
  schedules: ScheduleService;
  schema: GraphQLSchema;
  /** Lets an operation run as a whole or not at all (graphql/admission.ts), for every transport. */
  admission: Admission;
  /** Its Prometheus registry, and what counts into it. */
  metrics: ApiMetrics;
  /** What is done to the jobs outside the service, reflected on their tasks. */
  queueWatch: QueueWatch;
  close(): Promise<void>;
}

export interface BackendOptions {
  logger: Logger;
  /** Connection names in CLIENT LIST: `NAME` and `NAME-subscriber`. */
  name?: string;
}

/** Everything of the service but its transports: Redis, the task store and queue, pub/sub, the task service. */
export async function createTaskBackend(
  config: Pick<ApiConfig, 'redis' | 'tasks' | 'limits' | 'traces'>,
  { logger, name = 'api' }: BackendOptions,
): Promise<TaskBackend> {
  const partitions = createPartitions(config.redis.keyPrefix, config.redis.partitions);
  const schema = await buildTaskSchema({ partitions: partitions.count });
  const register = new Registry();
  collectProcessMetrics(register);
  const kinds = taskKinds.map((kind) => kind.name);
  const metrics = createApiMetrics(register, {
    kinds,
    subscriptionFields: Object.keys(schema.getSubscriptionType()?.getFields() ?? {}),
    connections: ['commands', 'subscriber'],
  });
  const redis = createRedis(config.redis, logger, {
    name,
    autoPipelining: true,
    failFast: true,
    onReconnect: () => metrics.redisReconnected('commands'),
  });
  const subscriber = createRedis(config.redis, logger, {
    blocking: true,
    sharded: true,
    name: `${name}-subscriber`,
    onReconnect: () => metrics.redisReconnected('subscriber'),
  });
  const closeConnections = () => Promise.all([closeRedis(subscriber), closeRedis(redis)]);
  try {
    await Promise.all([waitForRedis(redis), waitForRedis(subscriber)]);
    await checkPartitionCount(redis, partitions);
  } catch (error) {
    await closeConnections();
    register.clear();
    throw error;
  }
  const store = createTaskStore(redis, partitions);
  const telemetry = config.traces ? createBullmqTelemetry() : undefined;
  const queues = createTaskQueues(redis, partitions, telemetry);
  const scheduleQueues = createScheduleQueues(redis, partitions, telemetry);
  for (const queue of [...queues, ...scheduleQueues]) {
    queue.on('error', (error) => logger.warn({ err: error.message }, 'queue error'));
  }
  registerTaskGauges(register, {
    kinds,
    countTasks: (state, kind) => store.count({ state, name: kind }),
    countBacklog: (kind) => store.backlog(kind),
    largestWaiting: () => store.largestWaiting(),
    queues,
    logger,
  });
  const pubsub = createPubSub({
    publisher: redis,
    subscriber,
    probeChannels: partitions.all.map(({ keys }) => keys.probeChannel),
  });
  const { rateLimitCreates, rateLimitWindowMs, readBudget } = config.limits;
  const windowSeconds = rateLimitWindowMs / 1000;
  const registry = createWorkerRegistry(redis, partitions.meta);
  const workerFeed = createWorkerFeed({ list: () => registry.list(), logger });
  const history = createTaskHistory(redis, partitions);
  const tasks = createTaskService({
    store,
    partitions,
    queues,
    registry,
    workerFeed,
    history,
    pubsub,
    resultTtlMs: config.tasks.resultTtlMs,
    optionLimits: config.tasks.options,
    createLimiter: createCreationAllowance(redis, partitions, { limit: rateLimitCreates, windowSeconds }),
    maxWaitingPerOwner: config.limits.maxWaitingPerOwner,
    metrics,
    logger,
  });
  const schedules = createScheduleService({
    store: createScheduleStore(redis, partitions),
    partitions,
    scheduleQueues,
    taskQueues: queues,
    resultTtlMs: config.tasks.resultTtlMs,
    logger,
  });
  const queueWatch = watchQueues({
    store,
    partitions,
    queues,
    redis,
    eventConnection: () => createRedis(config.redis, logger, { blocking: true, name: `${name}-queue-events` }),
    sweep: config.tasks.jobSweep,
    logger,
  });
  // A forgotten task's job goes with it (BullMQ also removes finished jobs by age, but only as
  // others finish).
  const removeJobs = (ids: string[]) =>
    Promise.all(ids.map((id) => againOnNoScript(() => queues[partitions.ofTask(id)!.index]!.remove(id))));
  const sweeper = setInterval(() => {
    store
      .sweepExpired()
      .then(removeJobs)
      .catch((error: Error) => logger.debug({ err: error.message }, 'sweep failed'));
    history.sampleBacklog().catch((error: Error) => logger.debug({ err: error.message }, 'backlog not sampled'));
  }, SWEEP_EVERY_MS);

  const admission = createAdmission({
    schema,
    tasks,
    schedules,
    readBudget: createRateLimiter(redis, partitions, 'read', { limit: readBudget, windowSeconds }),
    costOf: (document, operationName) => operationCost(schema, document, operationName),
    logger,
  });

  let closing: Promise<void> | null = null;
  return {
    partitions,
    redis,
    tasks,
    schedules,
    schema,
    admission,
    metrics,
    queueWatch,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        await queueWatch.close();
        workerFeed.close();
        await schedules.close();
        await Promise.all(
          [...queues, ...scheduleQueues].map((queue) =>
            queue.close().catch((error: Error) => logger.warn({ err: error.message }, 'closing a queue failed')),
          ),
        );
        await pubsub.close();
        await closeConnections();
        register.clear();
      })();
      return closing;
    },
  };
}

/** One command in each partition's slot: on a cluster, each reaches the master that serves it. */
function reachEveryPartition({ redis, partitions }: TaskBackend): Promise<unknown> {
  return Promise.all(partitions.all.map(({ keys }) => redis.exists(keys.expiry)));
}

export interface ApiOptions extends BackendOptions {
  /** The built browser bundle: the dashboard (`/`) and the playground (`GET /graphql` from a browser). */
  clientDir: string;
  /** More Apollo plugins, after the service's own. */
  plugins?: readonly ApolloServerPlugin<Context>[];
}

export interface Api {
  /** Listens where the configuration says; resolves with the base URL, such as http://127.0.0.1:4000. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** The API: the task backend behind GraphQL over HTTP (Apollo) and over WebSocket (graphql-ws). */
export async function createApi(
  config: ApiConfig,
  { clientDir, plugins, ...backendOptions }: ApiOptions,
): Promise<Api> {
  const { logger } = backendOptions;
  const backend = await createTaskBackend(config, backendOptions);
  const { schema, tasks, schedules, admission } = backend;
  const { limits } = config;
  const auth = createAuthenticator(config.auth);
  const validationRules = [costLimitRule(limits)];
  // The project's own clients' manifests, then those of other frontends (relative to where the API runs).
  const root = projectRoot(import.meta.url);
  const trustedDocuments = await loadTrustedDocuments({
    mode: config.trustedDocuments.mode,
    manifests: [
      ...CLIENT_MANIFESTS.map((file) => join(root, file)),
      ...config.trustedDocuments.manifests.map((file) => resolve(file)),
    ],
    schema,
    validationRules,
  }).catch(async (error: unknown) => {
    await backend.close();
    throw error;
  });
  logger.info(
    { mode: trustedDocuments.mode, documents: trustedDocuments.size },
    'trusted documents (TRUSTED_DOCUMENTS)',
  );

  const httpServer = createServer();
  const apollo = createApolloServer({
    schema,
    httpServer,
    validationRules,
    maxTokens: limits.maxTokens,
    admission,
    trustedDocuments,
    includeStacktrace: config.errors.includeStacktrace,
    plugins: config.traces ? [operationSpanPlugin(), ...(plugins ?? [])] : plugins,
    logger,
  });
  await apollo.start();
  const clientOf = createClientAddress(config.http.trustedProxies);
  const contextFor = async (req: IncomingMessage): Promise<Context> => ({
    tasks,
    schedules,
    caller: { client: clientOf(req), owner: await auth.ownerOf(req.headers.authorization) },
  });
  httpServer.on(
    'request',
    createRequestListener(
      {
        graphql: createGraphqlHandler({
          apollo,
          contextFor,
          resolveDocument: (request) => resolveHttpDocument(trustedDocuments, request),
          maxResponseBytes: limits.maxResponseBytes,
        }),
        staticFile: createStaticFiles(clientDir),
        healthz,
        readyz: createReadyz(() => reachEveryPartition(backend)),
        metrics: (res) => sendMetrics(backend.metrics.register, res),
        schema: createSchemaSdl(schema),
      },
      { corsOrigins: config.http.corsOrigins, logger },
    ),
  );
  const ws = createWsTransport({
    httpServer,
    server: createGraphqlWsServer({
      schema,
      tasks,
      schedules,
      auth,
      documents: createDocumentCache({ schema, validationRules, maxTokens: limits.maxTokens }),
      trustedDocuments,
      admission,
      formatErrors: createErrorFormatter(config.errors),
      limits,
      connectionInitTimeoutMs: config.ws.connectionInitTimeoutMs,
      metrics: backend.metrics,
      traces: config.traces !== null,
      logger,
    }),
    path: '/graphql',
    maxMessageBytes: MAX_BODY_BYTES,
    maxSocketsPerClient: limits.maxSocketsPerClient,
    clientOf,
    keepAliveMs: config.ws.keepAliveMs,
    metrics: backend.metrics,
    logger,
  });
  // The HTTP server's own errors; listen() reports those of its start.
  httpServer.on('error', (error) => logger.warn({ err: error.message }, 'HTTP server error'));

  let closing: Promise<void> | null = null;
  return {
    listen() {
      const { port, host } = config.http;
      return new Promise((listening, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const { address, family, port: boundPort } = httpServer.address() as AddressInfo;
          const everywhere = address === '0.0.0.0' || address === '::';
          const shownHost = everywhere ? 'localhost' : family === 'IPv6' ? `[${address}]` : address;
          listening(`http://${shownHost}:${boundPort}`);
        });
      });
    },
    close() {
      closing ??= (async () => {
        const step = async (what: string, run: () => Promise<unknown>) => {
          logger.debug({ step: what }, 'shutdown step');
          await run().catch((error: Error) => logger.warn({ err: error.message, step: what }, 'shutdown step failed'));
        };
        await step('close WebSocket connections', () => ws.close());
        await step('stop Apollo and drain the HTTP server', () => apollo.stop());
        await step('close the task backend and Redis', () => backend.close());
      })();
      return closing;
    },
  };
}
