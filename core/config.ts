import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_PREFIX, hasHashTag } from './keys.js';

/**
 * The pieces of configuration both processes share, and how a process reads its own: every
 * variable is named once, in a zod shape with its default; the shape's transform turns the flat
 * variables into the nested, typed object the process runs with (seconds into milliseconds).
 * Only the entry points call `loadConfig`; everything else receives parts of that object.
 */

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** A whole number from `min` to `max`, with no default. */
export const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const integer = (min: number, max: number, fallback: number) => wholeNumber(min, max).default(fallback);

/** A whole number of seconds in the environment, milliseconds in the configuration. */
export const seconds = (min: number, max: number, fallback: number) =>
  integer(min, max, fallback).transform((value) => value * 1000);

/** `host:port`, as Redis Cluster seeds and Sentinels are named. */
const HOST_PORT = /^(?<host>[\w.-]+|\[[\da-f:]+\]):(?<port>\d{1,5})$/i;

export interface HostPort {
  host: string;
  port: number;
}

/** A comma-separated list, its items trimmed and empty ones left out, each checked by `items`. */
export const commaSeparated = <Items extends z.ZodType<unknown, string[]>>(items: Items) =>
  z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(items);

/** A comma-separated list of `host:port`, such as `10.0.0.1:6379,10.0.0.2:6379`; unset is none. */
const hostPorts = commaSeparated(
  z
    .array(
      z.string().transform((item, context): HostPort => {
        const match = HOST_PORT.exec(item);
        const port = Number(match?.groups?.port);
        if (!match || port < 1 || port > 65_535) {
          context.addIssue({ code: 'custom', message: `must be comma-separated host:port, and "${item}" is not` });
          return z.NEVER;
        }
        return { host: match.groups!.host!.replace(/^\[|\]$/g, ''), port };
      }),
    )
    .min(1, { error: 'must name at least one host:port' }),
).optional();

/**
 * Partitions on a cluster when TASK_PARTITIONS is unset: 12 spread evenly over 1, 2, 3, 4, 6 or 12
 * masters (on one Redis, or behind Sentinel, there is one).
 */
export const DEFAULT_CLUSTER_PARTITIONS = 12;
/** More partitions than this would cost every list read and every worker too many calls. */
export const MAX_PARTITIONS = 256;

const otlpProtocols = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof otlpProtocols)[number];
const otlpProtocol = z.enum(otlpProtocols, { error: `must be one of ${otlpProtocols.join(', ')}` }).optional();
const otlpEndpoint = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional();
// What OpenTelemetry's Node SDK knows (its jaeger_remote and xray samplers are not part of it).
const samplers = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * OpenTelemetry's own variables, as its specification names them. Its SDK reads them itself (and
 * the rest of its OTEL_* variables, headers and timeouts among them); the service reads the
 * endpoints, to start tracing only when one is set, and the protocol, to pick the exporter. The
 * others are here so that a bad value stops the process at start rather than being passed over.
 */
const traceVariables = {
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpEndpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol,
  OTEL_SERVICE_NAME: z.string().min(1).max(200, { error: 'must be at most 200 characters' }).optional(),
  OTEL_TRACES_SAMPLER: z.enum(samplers, { error: `must be one of ${samplers.join(', ')}` }).optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number({ error: 'must be a number' })
    .min(0, { error: 'must be from 0 to 1' })
    .max(1, { error: 'must be from 0 to 1' })
    .optional(),
};

export const commonVariables = {
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: hostPorts,
  REDIS_SENTINELS: hostPorts,
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[\w.-]{1,200}$/, { error: 'must be a Sentinel master name' })
    .optional(),
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  TASK_PARTITIONS: wholeNumber(1, MAX_PARTITIONS).optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .refine(hasHashTag, { error: 'must hold a Redis Cluster hash tag such as {tasks}' })
    .default(DEFAULT_PREFIX),
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json'], { error: 'must be pretty or json' }).optional(),
  ...traceVariables,
};

/**
 * The creation allowance, which both processes take from: the API a client's creates, the workers
 * its schedules' runs. The same in every process, as they share one bucket per client.
 */
export const creationAllowanceVariables = {
  // The dashboard creates one task per click; a script may burst to 600, then 10 a second.
  RATE_LIMIT_CREATES: integer(1, 1_000_000, 600),
  RATE_LIMIT_WINDOW: seconds(1, 24 * 3600, 60),
};

type CommonVariables = z.infer<z.ZodObject<typeof commonVariables>>;

/** Where Redis is: one server, a master behind Sentinel, or a Redis Cluster. */
export type RedisTarget =
  | { mode: 'single'; url: string }
  | { mode: 'sentinel'; sentinels: HostPort[]; name: string }
  | { mode: 'cluster'; nodes: HostPort[] };

export interface RedisConfig {
  target: RedisTarget;
  /** Credentials for every mode (a URL's own win over these in single mode). */
  username: string | undefined;
  password: string | undefined;
  /** Prefix of every key and channel; holds a hash tag, which each partition replaces with its own. */
  keyPrefix: string;
  /** How many partitions tasks are spread over; the same in every process (checked at start). */
  partitions: number;
}

/**
 * The checks of several Redis variables together, for a schema's superRefine: one mode at a time,
 * and a Sentinel name with the Sentinels.
 */
export function checkRedisVariables(variables: CommonVariables, context: z.RefinementCtx): void {
  if (variables.REDIS_CLUSTER_NODES && variables.REDIS_SENTINELS) {
    context.addIssue({
      code: 'custom',
      path: ['REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'],
      message: 'set one or the other: a Redis Cluster or Redis behind Sentinel, not both',
    });
  }
  if (Boolean(variables.REDIS_SENTINELS) !== Boolean(variables.REDIS_SENTINEL_NAME)) {
    context.addIssue({
      code: 'custom',
      path: ['REDIS_SENTINELS', 'REDIS_SENTINEL_NAME'],
      message: 'Redis behind Sentinel needs both: the Sentinels and the name of the master they watch',
    });
  }
}

function redisTarget(variables: CommonVariables): RedisTarget {
  if (variables.REDIS_CLUSTER_NODES) return { mode: 'cluster', nodes: variables.REDIS_CLUSTER_NODES };
  if (variables.REDIS_SENTINELS && variables.REDIS_SENTINEL_NAME) {
    return { mode: 'sentinel', sentinels: variables.REDIS_SENTINELS, name: variables.REDIS_SENTINEL_NAME };
  }
  return { mode: 'single', url: variables.REDIS_URL };
}

/** Traces, when an OTLP endpoint is set; the SDK reads the rest of its variables itself. */
export interface TracesConfig {
  /** Which OTLP exporter sends the spans. */
  protocol: OtlpProtocol;
}

function tracesConfig(variables: CommonVariables): TracesConfig | null {
  if (!variables.OTEL_EXPORTER_OTLP_ENDPOINT && !variables.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return null;
  return {
    // The specification's default, and the signal's own setting before the general one.
    protocol: variables.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? variables.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
  };
}

export interface LogConfig {
  level: LogLevel;
  /** Unset: pretty in a terminal, JSON otherwise. */
  format: 'pretty' | 'json' | undefined;
}

/** The nested parts every process has, from the common variables. */
export function commonConfig(variables: CommonVariables): {
  redis: RedisConfig;
  log: LogConfig;
  /** null: no endpoint, no traces (the SDK is not even loaded). */
  traces: TracesConfig | null;
} {
  const target = redisTarget(variables);
  return {
    redis: {
      target,
      username: variables.REDIS_USERNAME,
      password: variables.REDIS_PASSWORD,
      keyPrefix: variables.REDIS_KEY_PREFIX,
      // Several per master on a cluster, whose masters then share the tasks; one shard has no use for more.
      partitions: variables.TASK_PARTITIONS ?? (target.mode === 'cluster' ? DEFAULT_CLUSTER_PARTITIONS : 1),
    },
    log: { level: variables.LOG_LEVEL, format: variables.LOG_FORMAT },
    traces: tracesConfig(variables),
  };
}

export class ConfigError extends Error {}

/** The names of a configuration's variables, for the checks that keep the documentation in step. */
export function variableNames(schema: z.ZodType): string[] {
  const object = schema instanceof z.ZodPipe ? schema.in : schema;
  if (!(object instanceof z.ZodObject)) throw new Error('a configuration schema is an object of variables');
  return Object.keys(object.shape);
}

/**
 * Checks every variable of `schema` at once and answers the configuration it builds; an error
 * lists each bad variable with its value. Reads `.env` first (values already in the environment win).
 */
export function loadConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv,
  envFile = '.env',
): z.output<Schema> {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(schema, env);
}

/** As loadConfig, from the given variables alone (tests, and configurations built in code). */
export function parseConfig<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv): z.output<Schema> {
  // An empty variable means "not set", as in most shells and compose files.
  const values = Object.fromEntries(
    variableNames(schema).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    // An issue's path starts with the variable (then, for a list, the item); a check of several
    // variables together names them all.
    const names = issue.path.filter((part): part is string => typeof part === 'string' && part in values);
    const got = names.length === 1 ? ` (got ${JSON.stringify(values[names[0]!])})` : '';
    return `  ${names.join(', ')}: ${issue.message}${got}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
