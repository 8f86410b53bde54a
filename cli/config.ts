import { z } from 'zod';
import { integer } from '../core/config.js';
import { usageError } from './errors.js';

export const DEFAULT_URL = 'http://localhost:4000';

/**
 * Where the API is and who is calling: `--url` and `--token`, else these variables, else the
 * default. The API's GraphQL endpoint is `<url>/graphql` unless the URL already ends with it. And
 * how large an answer may be: above the API's own bound (its MAX_RESPONSE_BYTES, 2,000,000 UTF-16
 * characters by default, so at most 6 MB of UTF-8), far below what would fill the machine's memory.
 */
export const cliConfigSchema = z.object({
  TASK_SERVICE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, such as http://localhost:4000' })
    .default(DEFAULT_URL),
  TASK_SERVICE_TOKEN: z
    .string()
    // Given as `Bearer <token>` or as the token alone; sent as `Authorization: Bearer <token>`.
    .transform((value) => value.trim().replace(/^Bearer\s+/i, ''))
    .pipe(z.string().regex(/^[\x21-\x7e]+$/, 'must be one word of printable characters (a JSON Web Token)'))
    .optional(),
  TASK_SERVICE_MAX_RESPONSE_BYTES: integer(1_000, 1_000_000_000, 8_000_000),
});

/** Names the option beside the variable, since either may have been set. */
const optionOf: Partial<Record<keyof z.infer<typeof cliConfigSchema>, string>> = {
  TASK_SERVICE_URL: '--url',
  TASK_SERVICE_TOKEN: '--token',
};

export interface CliConfig {
  /** The GraphQL endpoint over HTTP. */
  httpUrl: string;
  /** The same endpoint over WebSocket (graphql-ws). */
  wsUrl: string;
  token?: string;
  /** Bytes an answer may hold, over HTTP and in a WebSocket message. */
  maxResponseBytes: number;
  json: boolean;
}

export function parseCliConfig(
  options: { url?: string; token?: string; json: boolean },
  env: Readonly<Record<string, string | undefined>>,
): CliConfig {
  const parsed = cliConfigSchema.safeParse({
    TASK_SERVICE_URL: options.url ?? (env.TASK_SERVICE_URL || undefined),
    TASK_SERVICE_TOKEN: options.token ?? (env.TASK_SERVICE_TOKEN || undefined),
    TASK_SERVICE_MAX_RESPONSE_BYTES: env.TASK_SERVICE_MAX_RESPONSE_BYTES || undefined,
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof typeof optionOf;
      const option = optionOf[key];
      return `${option ? `${option} (or ${key})` : key} ${issue.message}`;
    });
    throw usageError(lines);
  }
  const url = new URL(parsed.data.TASK_SERVICE_URL);
  url.hash = '';
  url.search = '';
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/graphql') ? path : `${path}/graphql`;
  const httpUrl = url.toString();
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  const { TASK_SERVICE_TOKEN: token, TASK_SERVICE_MAX_RESPONSE_BYTES: maxResponseBytes } = parsed.data;
  return { httpUrl, wsUrl, token, maxResponseBytes, json: options.json };
}
