import { DEFAULT_WORKER_MAX_TIMEOUT } from '../core/limits.js';
import { z } from 'zod';
import {
  checkRedisVariables,
  commaSeparated,
  commonConfig,
  commonVariables,
  creationAllowanceVariables,
  integer,
  loadConfig,
  parseConfig,
  seconds,
} from '../core/config.js';
import type { AuthOptions } from './auth.js';
import { isProxyAddress } from './http/client-address.js';
import { isOrigin } from './http/cors.js';
import { TRUSTED_DOCUMENTS_MODES } from './graphql/trusted-documents.js';

const origins = commaSeparated(
  z.array(
    z.string().refine(isOrigin, {
      error: (issue) =>
        `must be comma-separated origins such as https://app.example.com, and ${JSON.stringify(issue.input)} is not one`,
    }),
  ),
).default([]);

const proxies = commaSeparated(
  z.array(
    z.string().refine(isProxyAddress, {
      error: (issue) =>
        `must be comma-separated addresses, CIDR blocks, loopback, linklocal or uniquelocal, and ${JSON.stringify(issue.input)} is not one`,
    }),
  ),
).default([]);

/** Every variable the API reads, with its default; docs/configuration.md and .env.example list the same. */
const apiVariables = z
  .object({
    ...commonVariables,
    PORT: integer(0, 65_535, 4000),
    HOST: z.string().min(1, { error: 'must not be empty' }).default('0.0.0.0'),
    /** Seconds a finished task is kept; stored with each task when it is created. */
    RESULT_TTL: seconds(1, 31 * 24 * 3600, 3600),
    /** Seconds an idempotency key answers its first task for. */
    IDEMPOTENCY_TTL: seconds(1, 31 * 24 * 3600, 86_400),
    /** Seconds ahead a task may be delayed to (runAt, delaySeconds). */
    MAX_DELAY: seconds(1, 366 * 24 * 3600, 30 * 24 * 3600),
    /** The workers' own (worker/config.ts): a task's timeoutSeconds may not be above it. */
    WORKER_MAX_TIMEOUT: seconds(1, 86_400, DEFAULT_WORKER_MAX_TIMEOUT),
    // The standard introspection query (GraphiQL, codegen) is 15 deep and has about 230 fields;
    // the dashboard's deepest query is 4 deep with about 30 fields.
    MAX_QUERY_DEPTH: integer(1, 1_000, 20),
    MAX_ROOT_FIELDS: integer(1, 1_000, 10),
    MAX_QUERY_FIELDS: integer(1, 100_000, 500),
    // Some 200 for the introspection query, 100 for the dashboard's list; 300 aliased mutations
    // take 4,000, and still meet MAX_ROOT_FIELDS with a clear message.
    MAX_QUERY_TOKENS: integer(100, 1_000_000, 5_000),
    // Each field times the lists above it (graphql/cost-limit-rule.ts): the dashboard's list of a
    // full page of tasks costs 12,405, 10,000 of them the tasks' numbers; hundreds of aliases of
    // `numbers` over that page cost millions.
    MAX_QUERY_COST: integer(1, 100_000_000, 25_000),
    // The dashboard's and codegen's operations select no field more than twice in one place.
    MAX_FIELD_ALIASES: integer(1, 1_000, 5),
    /** Bytes of one answer over HTTP; a larger one is replaced by an error. */
    MAX_RESPONSE_BYTES: integer(1_000, 1_000_000_000, 2_000_000),
    /** Query cost one client may spend per RATE_LIMIT_WINDOW, refilled evenly. */
    READ_BUDGET: integer(1, 1_000_000_000, 1_000_000),
    MAX_SUBSCRIPTIONS_PER_SOCKET: integer(1, 100_000, 100),
    MAX_SOCKETS_PER_CLIENT: integer(1, 1_000_000, 100),
    MAX_SUBSCRIPTIONS_PER_CLIENT: integer(1, 10_000_000, 1_000),
    /** taskUpdated sends every change of every task: the costliest subscription to hold many of. */
    MAX_TASK_UPDATED_PER_CLIENT: integer(1, 100_000, 10),
    WS_CONNECTION_INIT_TIMEOUT: seconds(1, 600, 3), // graphql-ws's own default
    WS_KEEP_ALIVE: seconds(1, 3_600, 12), // graphql-ws's own ping interval
    ...creationAllowanceVariables,
    // A waiting task's record has no time to live, and a delayed one may wait MAX_DELAY: about
    // 2.5 KiB of Redis each (record, job, indexes), some 25 MiB for one caller at the default.
    MAX_WAITING_PER_OWNER: integer(1, 10_000_000, 10_000),
    CORS_ORIGINS: origins,
    /** Reverse proxies whose X-Forwarded-For names the client, for the per-client limits. */
    TRUST_PROXY: proxies,
    AUTH_JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    AUTH_ISSUER: z.string().min(1).optional(),
    AUTH_AUDIENCE: z.string().min(1).optional(),
    /** Documents served by id, from codegen's manifests; `only` refuses every operation sent as text. */
    TRUSTED_DOCUMENTS: z.enum(TRUSTED_DOCUMENTS_MODES, { error: 'must be off, accept or only' }).default('accept'),
    /** Manifests of other frontends, served beside the dashboard's and the command line's. */
    TRUSTED_DOCUMENTS_MANIFESTS: commaSeparated(z.array(z.string())).default([]),
    /** Stack traces in error answers: for debugging only, they show the server's paths. */
    ERROR_STACK_TRACES: z.stringbool({ error: 'must be true or false' }).default(false),
  })
  .refine((variables) => !(variables.AUTH_JWT_SECRET && variables.AUTH_JWKS_URL), {
    path: ['AUTH_JWT_SECRET', 'AUTH_JWKS_URL'],
    error: 'set one or the other, not both',
  })
  .refine((variables) => variables.TRUSTED_DOCUMENTS !== 'off' || variables.TRUSTED_DOCUMENTS_MANIFESTS.length === 0, {
    path: ['TRUSTED_DOCUMENTS_MANIFESTS', 'TRUSTED_DOCUMENTS'],
    error: 'manifests are served only with TRUSTED_DOCUMENTS=accept or only',
  })
  .superRefine(checkRedisVariables);

export const apiConfigSchema = apiVariables.transform((v) => ({
  ...commonConfig(v),
  http: { port: v.PORT, host: v.HOST, corsOrigins: v.CORS_ORIGINS, trustedProxies: v.TRUST_PROXY },
  tasks: {
    resultTtlMs: v.RESULT_TTL,
    options: { idempotencyTtlMs: v.IDEMPOTENCY_TTL, maxDelayMs: v.MAX_DELAY, maxTimeoutMs: v.WORKER_MAX_TIMEOUT },
    // Not variables: how often the API looks for tasks whose job was removed outside the service,
    // and how old a task must be to be looked at (its record is written just before its job).
    jobSweep: { everyMs: 5_000, graceMs: 5_000 },
  },
  limits: {
    maxDepth: v.MAX_QUERY_DEPTH,
    maxRootFields: v.MAX_ROOT_FIELDS,
    maxFields: v.MAX_QUERY_FIELDS,
    maxTokens: v.MAX_QUERY_TOKENS,
    maxCost: v.MAX_QUERY_COST,
    maxAliasesPerField: v.MAX_FIELD_ALIASES,
    maxResponseBytes: v.MAX_RESPONSE_BYTES,
    readBudget: v.READ_BUDGET,
    maxSubscriptionsPerSocket: v.MAX_SUBSCRIPTIONS_PER_SOCKET,
    maxSocketsPerClient: v.MAX_SOCKETS_PER_CLIENT,
    maxSubscriptionsPerClient: v.MAX_SUBSCRIPTIONS_PER_CLIENT,
    maxTaskUpdatedPerClient: v.MAX_TASK_UPDATED_PER_CLIENT,
    rateLimitCreates: v.RATE_LIMIT_CREATES,
    rateLimitWindowMs: v.RATE_LIMIT_WINDOW,
    maxWaitingPerOwner: v.MAX_WAITING_PER_OWNER,
  },
  ws: { connectionInitTimeoutMs: v.WS_CONNECTION_INIT_TIMEOUT, keepAliveMs: v.WS_KEEP_ALIVE },
  auth: {
    jwtSecret: v.AUTH_JWT_SECRET,
    jwksUrl: v.AUTH_JWKS_URL,
    issuer: v.AUTH_ISSUER,
    audience: v.AUTH_AUDIENCE,
  } satisfies AuthOptions,
  errors: { includeStacktrace: v.ERROR_STACK_TRACES },
  trustedDocuments: { mode: v.TRUSTED_DOCUMENTS, manifests: v.TRUSTED_DOCUMENTS_MANIFESTS },
}));

export type ApiConfig = z.output<typeof apiConfigSchema>;
export type Limits = ApiConfig['limits'];

/** The API's configuration from the environment (and `.env`); throws a ConfigError naming each bad variable. */
export function loadApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  return loadConfig(apiConfigSchema, env);
}

/** The same from the given variables alone, with no `.env`: tests and tools. */
export function parseApiConfig(env: NodeJS.ProcessEnv = {}): ApiConfig {
  return parseConfig(apiConfigSchema, env);
}
