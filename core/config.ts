import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_PREFIX, hasHashTag } from './keys.js';

/**
 * Pieces of configuration both entry points share. Only the entry points call `loadConfig`;
 * everything else receives plain values.
 */

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const integer = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

export const commonConfig = {
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

export class ConfigError extends Error {}

/** Reads `.env` (values already in the environment win), then checks every variable at once. */
export function loadConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: NodeJS.ProcessEnv,
  envFile = '.env',
): z.infer<z.ZodObject<Shape>> {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  // An empty variable means "not set", as in most shells and compose files.
  const values = Object.fromEntries(Object.keys(shape).map((name) => [name, env[name] === '' ? undefined : env[name]]));
  const parsed = z.object(shape).safeParse(values);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return `  ${name}: ${issue.message} (got ${JSON.stringify(values[name])})`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
