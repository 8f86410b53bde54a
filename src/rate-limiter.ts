import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import type { Keys } from '../core/keys.js';
import { createScript } from '../core/redis-script.js';

/**
 * A token bucket per client, kept in Redis so that every API instance draws from the same one:
 * `limit` actions at once, refilled evenly over `windowSeconds` (one every window / limit). Written
 * as GCRA: the key holds one number, the time at which the bucket will be full again, so a client
 * costs one small key however high the limit; it expires when the bucket is full.
 *
 * KEYS[1] the client's bucket. ARGV: limit, window in milliseconds. The clock is Redis's own, so
 * instances whose clocks disagree still agree on every bucket. Answers { allowed (1 or 0),
 * milliseconds until the next action is allowed }.
 */
const takeScript = /* lua */ `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local interval = window / limit
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local full = tonumber(redis.call('GET', KEYS[1]) or '0')
if full < now then full = now end
local after = full + interval
if after - now > window then
  return { 0, math.ceil(after - window - now) }
end
redis.call('SET', KEYS[1], string.format('%.3f', after), 'PX', math.ceil(after - now))
return { 1, 0 }
`;

export interface RateLimit {
  /** Actions one client may take at once. */
  limit: number;
  /** Seconds in which a spent bucket fills up again. */
  windowSeconds: number;
}

export type RateLimitAnswer = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes one action from the client's bucket, if there is one left. */
  take(client: string): Promise<RateLimitAnswer>;
}

export function createRateLimiter(
  redis: Redis,
  keys: Keys,
  name: string,
  { limit, windowSeconds }: RateLimit,
): RateLimiter {
  const run = createScript(redis, takeScript);
  return {
    async take(client) {
      const [allowed, retryAfterMs] = (await run([keys.rateLimit(name, client)], [limit, windowSeconds * 1000])) as [
        number,
        number,
      ];
      if (allowed === 1) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    },
  };
}

export function rateLimited(what: string, retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`Too many ${what}: try again in ${retryAfterSeconds} s`, {
    extensions: { code: 'RATE_LIMITED', retryAfter: retryAfterSeconds },
  });
}
