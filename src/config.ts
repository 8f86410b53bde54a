import { z } from 'zod';
import { commonConfig, ConfigError, integer, loadConfig } from '../core/config.js';
import type { AuthOptions } from './auth.js';
import { defaultAbuseProtection as defaults, type AbuseProtection } from './abuse-protection.js';
import { isOrigin } from './cors.js';

const origins = z
  .string()
  .default('')
  .transform((list) =>
    list
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().refine(isOrigin, {
        error: (issue) =>
          `must be comma-separated origins such as https://app.example.com, and ${JSON.stringify(issue.input)} is not one`,
      }),
    ),
  );

export const apiConfigShape = {
  ...commonConfig,
  PORT: integer(0, 65_535, 4000),
  HOST: z.string().min(1, { error: 'must not be empty' }).default('0.0.0.0'),
  /** Seconds a finished task is kept; stored with each task when it is created. */
  RESULT_TTL: integer(1, 31 * 24 * 3600, 3600),
  /** Limits on one operation, checked before it runs (see graphql/cost-limit-rule.ts). */
  MAX_QUERY_DEPTH: integer(1, 1_000, defaults.maxDepth),
  MAX_ROOT_FIELDS: integer(1, 1_000, defaults.maxRootFields),
  MAX_QUERY_FIELDS: integer(1, 100_000, defaults.maxFields),
  MAX_QUERY_COST: integer(1, 1_000_000_000, defaults.maxCost),
  MAX_FIELD_ALIASES: integer(1, 1_000, defaults.maxAliasesPerField),
  MAX_QUERY_TOKENS: integer(100, 1_000_000, defaults.maxTokens),
  MAX_SUBSCRIPTIONS_PER_SOCKET: integer(1, 100_000, defaults.maxSubscriptionsPerSocket),
  /** Seconds a new WebSocket has to send connection_init. */
  WS_CONNECTION_INIT_TIMEOUT: integer(1, 600, defaults.connectionInitTimeoutMs / 1000),
  /** Seconds between pings of each WebSocket; one that misses a ping is closed at the next. */
  WS_KEEP_ALIVE: integer(1, 3_600, defaults.keepAliveMs / 1000),
  /** Tasks one client (IP address) may create at once, refilled over RATE_LIMIT_WINDOW seconds. */
  RATE_LIMIT_CREATES: integer(1, 1_000_000, defaults.rateLimitCreates),
  RATE_LIMIT_WINDOW: integer(1, 24 * 3600, defaults.rateLimitWindowSeconds),
  /** Origins whose pages may call the API from a browser; empty: same-origin only. */
  CORS_ORIGINS: origins,
  /** Authentication is on when one of these is set: HS256/384/512 tokens signed with this secret... */
  AUTH_JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  /** ...or tokens signed by a key of this JSON Web Key Set. */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** When set, a token must carry this issuer (iss) and audience (aud). */
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
};

export type ApiConfig = ReturnType<typeof loadApiConfig>;

export function loadApiConfig(env: NodeJS.ProcessEnv) {
  const config = loadConfig(apiConfigShape, env);
  if (config.AUTH_JWT_SECRET && config.AUTH_JWKS_URL) {
    throw new ConfigError('Invalid configuration:\n  AUTH_JWT_SECRET, AUTH_JWKS_URL: set one or the other, not both');
  }
  return config;
}

/** createApi's auth option, from the configuration: off when neither a secret nor a JWKS URL is set. */
export function authOptionsFrom(config: ApiConfig): AuthOptions {
  return {
    jwtSecret: config.AUTH_JWT_SECRET,
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  };
}

/** createApi's abuseProtection option, from the configuration. */
export function abuseProtectionFrom(config: ApiConfig): AbuseProtection {
  return {
    maxDepth: config.MAX_QUERY_DEPTH,
    maxRootFields: config.MAX_ROOT_FIELDS,
    maxFields: config.MAX_QUERY_FIELDS,
    maxCost: config.MAX_QUERY_COST,
    maxAliasesPerField: config.MAX_FIELD_ALIASES,
    maxTokens: config.MAX_QUERY_TOKENS,
    maxSubscriptionsPerSocket: config.MAX_SUBSCRIPTIONS_PER_SOCKET,
    connectionInitTimeoutMs: config.WS_CONNECTION_INIT_TIMEOUT * 1000,
    keepAliveMs: config.WS_KEEP_ALIVE * 1000,
    rateLimitCreates: config.RATE_LIMIT_CREATES,
    rateLimitWindowSeconds: config.RATE_LIMIT_WINDOW,
    corsOrigins: config.CORS_ORIGINS,
  };
}
