import type { Partitions } from './partitions.js';
import type { RedisClient } from './redis.js';
import { defineScripts } from './redis-scripts.js';

/**
 * A token bucket per client, kept in Redis so that every API instance draws from the same one:
 * `limit` actions at once, refilled evenly over `windowSeconds` (one every window / limit). The
 * script (core/scripts/rate-limit-take.lua) counts in whole numbers, so that a limit holds over its
 * whole range (a billion per second refills less than a double can add to the time); a client costs
 * one small key however high the limit, and the clock is Redis's own. Clients' keys spread over the
 * partitions.
 */
export interface RateLimit {
  /** Actions one client may take at once. */
  limit: number;
  /** Seconds in which a spent bucket fills up again. */
  windowSeconds: number;
}

export type RateLimitAnswer = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /**
   * Takes `cost` actions from the client's bucket at once, or none: an operation made of several
   * actions is admitted whole or not at all. A cost above the limit is never allowed.
   */
  take(client: string, cost?: number): Promise<RateLimitAnswer>;
}

export function createRateLimiter(
  redis: RedisClient,
  partitions: Partitions,
  name: string,
  { limit, windowSeconds }: RateLimit,
): RateLimiter {
  const scripts = defineScripts(redis);
  return {
    async take(client, cost = 1) {
      if (!Number.isInteger(cost) || cost < 1)
        throw new RangeError(`a rate-limit cost is a whole number of actions, not ${cost}`);
      const [allowed, retryAfterMs] = (await scripts.rateLimitTake(
        [partitions.ofKey(client).keys.rateLimit(name, client)],
        [limit, windowSeconds * 1000, cost],
      )) as [number, number];
      if (allowed === 1) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    },
  };
}

/**
 * The creation allowance (RATE_LIMIT_CREATES per RATE_LIMIT_WINDOW): the API takes a client's
 * creates from it, and the workers its schedules' runs, from the same bucket (see limitClient).
 */
export function createCreationAllowance(redis: RedisClient, partitions: Partitions, rate: RateLimit): RateLimiter {
  return createRateLimiter(redis, partitions, 'create', rate);
}
