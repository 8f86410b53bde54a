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

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const integer = (min: number, max: number, fallback: number) => wholeNumber(min, max).default(fallback);

/** A whole number that may be left unset (undefined): something that is off by default. */
export const optionalInteger = (min: number, max: number) => wholeNumber(min, max).optional();

/** A whole number of seconds in the environment, milliseconds in the configuration. */
export const seconds = (min: number, max: number, fallback: number) =>
  integer(min, max, fallback).transform((value) => value * 1000);

export const commonVariables = {
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z
    .string()
    .refine(hasHashTag, { error: 'must hold a Redis Cluster hash tag such as {tasks}' })
    .default(DEFAULT_PREFIX),
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json'], { error: 'must be pretty or json' }).optional(),
};

type CommonVariables = z.infer<z.ZodObject<typeof commonVariables>>;

export interface RedisConfig {
  url: string;
  /** Prefix of every key and channel; holds a hash tag. */
  keyPrefix: string;
}

export interface LogConfig {
  level: LogLevel;
  /** Unset: pretty in a terminal, JSON otherwise. */
  format: 'pretty' | 'json' | undefined;
}

/** The nested parts every process has, from the common variables. */
export function commonConfig(variables: CommonVariables): { redis: RedisConfig; log: LogConfig } {
  return {
    redis: { url: variables.REDIS_URL, keyPrefix: variables.REDIS_KEY_PREFIX },
    log: { level: variables.LOG_LEVEL, format: variables.LOG_FORMAT },
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
