import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { Redis } from 'ioredis';
import type { Keys } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import { closeRedis } from '../core/redis.js';
import { createTaskQueue } from '../core/task-queue.js';
import { createTaskStore } from '../core/task-store.js';
import { createWorkerRegistry } from '../core/worker-registry.js';
import { defaultAbuseProtection, type AbuseProtection } from './abuse-protection.js';
import { formatError } from './errors.js';
import { createAuthenticator, type AuthOptions } from './auth.js';
import type { Caller, Context } from './graphql/context.js';
import { costLimitRule } from './graphql/cost-limit-rule.js';
import { noSubscriptionsOverHttp } from './graphql/no-subscriptions-over-http.js';
import { buildTaskSchema } from './graphql/schema.js';
import { createGraphqlWsServer } from './graphql-ws-server.js';
import { drainHttpServerPlugin } from './drain-http-server.js';
import { createHttpHandler, MAX_BODY_BYTES } from './http-handler.js';
import { executorGateway } from './apollo-executor.js';
import { createOperationCache } from './operation-cache.js';
import { createDocumentCache } from './document-cache.js';
import { createPubSub } from './pubsub.js';
import { createRateLimiter } from './rate-limiter.js';
import { createTaskService } from './task-service.js';

export interface ApiOptions {
  /** Commands, the queue and publishing; owned by the API from now on. */
  redis: Redis;
  /** The pub/sub subscriber; owned by the API from now on. */
  subscriber: Redis;
  keys: Keys;
  resultTtlSeconds: number;
  clientDir: string;
  logger: Logger;
  /** Limits per request, socket and client; each one left out keeps its default. */
  abuseProtection?: Partial<AbuseProtection>;
  /** Off when left out: then every caller sees every task. */
  auth?: AuthOptions;
}

export interface Api {
  httpServer: Server;
  /** Resolves with the base URL, such as http://127.0.0.1:4000. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Reads leave expired tasks out at once but never write; this forgets them, so a list's totalCount
 * may count an expired task for about this long.
 */
const SWEEP_EVERY_MS = 1_000;

export async function createApi({
  redis,
  subscriber,
  keys,
  resultTtlSeconds,
  clientDir,
  logger,
  abuseProtection,
  auth: authOptions,
}: ApiOptions): Promise<Api> {
  const limits = { ...defaultAbuseProtection, ...abuseProtection };
  const pubsub = createPubSub({ publisher: redis, subscriber });
  const store = createTaskStore(redis, keys);
  const queue = createTaskQueue(redis, keys.prefix);
  queue.on('error', (error) => logger.warn({ err: error.message }, 'queue error'));
  const tasks = createTaskService({
    store,
    queue,
    registry: createWorkerRegistry(redis, keys),
    pubsub,
    keys,
    resultTtlSeconds,
    createLimiter: createRateLimiter(redis, keys, 'create', {
      limit: limits.rateLimitCreates,
      windowSeconds: limits.rateLimitWindowSeconds,
    }),
    logger,
  });
  const auth = createAuthenticator(authOptions);
  const contextFor = (caller: Caller): Context => ({ tasks, caller });
  const validationRules = [costLimitRule(limits)];
  const schema = await buildTaskSchema(pubsub);
  // Parsed and validated once per operation text, for graphql-ws and the HTTP fast path alike.
  const documents = createDocumentCache({ schema, validationRules, maxTokens: limits.maxTokens });

  const httpServer = createServer();
  const graphqlWs = createGraphqlWsServer({
    httpServer,
    schema,
    contextFor,
    auth,
    documents,
    maxOperationsPerSocket: limits.maxSubscriptionsPerSocket,
    connectionInitTimeoutMs: limits.connectionInitTimeoutMs,
    keepAliveMs: limits.keepAliveMs,
    maxMessageBytes: MAX_BODY_BYTES,
    logger,
  });
  const apollo = new ApolloServer<Context>({
    // Apollo's executor, plugged in through its gateway interface: the fast path in the HTTP handler
    // hands it results to format (see apollo-executor.ts).
    gateway: executorGateway(schema),
    plugins: [
      drainHttpServerPlugin(httpServer),
      ApolloServerPluginLandingPageDisabled(),
      // Its per-field hooks cost about a tenth of a mutation, for cache hints this schema never
      // gives: every answer is uncacheable, and the HTTP handler says so itself (no-store).
      ApolloServerPluginCacheControlDisabled(),
      // Nothing leaves the machine, even with an APOLLO_KEY in the environment.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
    ],
    logger,
    // The entry point owns the signals and closes everything in order (see close()).
    stopOnTerminationSignals: false,
    // The playground and typed clients read the schema; it is public anyway (schema.graphql).
    introspection: true,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [...validationRules, noSubscriptionsOverHttp],
    formatError,
  });
  await apollo.start();
  httpServer.on(
    'request',
    createHttpHandler({
      apollo,
      operations: createOperationCache({ schema, documents }),
      contextFor,
      auth,
      corsOrigins: limits.corsOrigins,
      redis,
      clientDir,
      logger,
    }),
  );

  const sweeper = setInterval(() => {
    store.sweepExpired().catch((error: Error) => logger.debug({ err: error.message }, 'sweep failed'));
  }, SWEEP_EVERY_MS);

  let closing: Promise<void> | null = null;
  return {
    httpServer,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const { address, family, port: boundPort } = httpServer.address() as AddressInfo;
          const everywhere = address === '0.0.0.0' || address === '::';
          const shownHost = everywhere ? 'localhost' : family === 'IPv6' ? `[${address}]` : address;
          resolve(`http://${shownHost}:${boundPort}`);
        });
      });
    },
    close() {
      closing ??= (async () => {
        const step = async (what: string, run: () => Promise<unknown>) => {
          logger.debug({ step: what }, 'shutdown step');
          await run().catch((error: Error) => logger.warn({ err: error.message, step: what }, 'shutdown step failed'));
        };
        clearInterval(sweeper);
        // Closes every socket with 1001 (going away), which graphql-ws clients retry elsewhere.
        await step('close WebSocket connections', async () => graphqlWs.dispose());
        await step('stop Apollo and the HTTP server', () => apollo.stop());
        await step('close the queue', () => queue.close());
        await step('close pub/sub', () => pubsub.close());
        await step('close Redis', () => closeRedis(redis));
      })();
      return closing;
    },
  };
}
