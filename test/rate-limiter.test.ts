import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPartitions } from '../core/partitions.js';
import { createRateLimiter } from '../core/rate-limiter.js';
import { parseApiConfig } from '../src/config.js';
import { REDIS_URL } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

/** The documented ranges of the limits a bucket is made of (src/config.ts). */
const LIMITS = {
  RATE_LIMIT_CREATES: [1, 1_000_000],
  READ_BUDGET: [1, 1_000_000_000],
} as const;
const WINDOWS = [1, 24 * 3600]; // RATE_LIMIT_WINDOW, in seconds

describe('the rate limiter', () => {
  let redis: Redis;
  const partitions = createPartitions(`{test-${randomUUID()}}`, 1);
  const keys = partitions.meta;

  beforeEach(() => {
    redis = new Redis(REDIS_URL);
  });

  afterEach(async () => {
    const stale = await redis.keys(`${keys.prefix}*`);
    if (stale.length) await redis.del(...stale);
    await redis.quit();
  });

  it('should take several actions at once, or none of them', async () => {
    // Five at once, one back every 60 / 5 = 12 s.
    const limiter = createRateLimiter(redis, partitions, 'create', { limit: 5, windowSeconds: 60 });
    expect(await limiter.take('a', 3)).toEqual({ allowed: true });
    expect(await limiter.take('a', 3)).toEqual({ allowed: false, retryAfterSeconds: 12 });
    expect(await limiter.take('a', 2)).toEqual({ allowed: true }); // the refusal took nothing
    expect(await limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 12 });
    expect(await limiter.take('b', 5)).toEqual({ allowed: true });
    expect((await limiter.take('c', 6)).allowed).toBe(false); // more than the limit: never
    await expect(limiter.take('c', 0)).rejects.toThrow(RangeError);
  });

  it('should know the ends of the ranges the limits are documented with', () => {
    for (const [variable, [lowest, highest]] of Object.entries(LIMITS)) {
      expect(() => parseApiConfig({ [variable]: String(lowest) })).not.toThrow();
      expect(() => parseApiConfig({ [variable]: String(highest) })).not.toThrow();
      expect(() => parseApiConfig({ [variable]: String(highest + 1) })).toThrow(variable);
    }
    expect(() => parseApiConfig({ RATE_LIMIT_WINDOW: String(WINDOWS.at(-1)! + 1) })).toThrow('RATE_LIMIT_WINDOW');
  });

  const extremes = [...new Set([...Object.values(LIMITS).flat(), 7])].flatMap((limit) =>
    WINDOWS.map((windowSeconds) => [limit, windowSeconds] as const),
  );
  it.each(extremes)('should hold a limit of %d per %d s exactly', async (limit, windowSeconds) => {
    const limiter = createRateLimiter(redis, partitions, 'read', { limit, windowSeconds });
    expect(await limiter.take('one')).toEqual({ allowed: true });
    expect(await limiter.take('all', limit)).toEqual({ allowed: true });
    // What comes back in a tenth of a second (at least one action) is refused until it has.
    const tenth = Math.max(1, Math.ceil((limit * 100) / (windowSeconds * 1000)));
    const back = (actions: number) => Math.max(1, Math.ceil((actions * windowSeconds) / limit)); // whole seconds
    expect(await limiter.take('all', tenth)).toEqual({ allowed: false, retryAfterSeconds: back(tenth) });
    // More than the limit never is (one action more than the bucket holds: one action's time).
    expect(await limiter.take('more', limit + 1)).toEqual({ allowed: false, retryAfterSeconds: back(1) });
    // A bucket is kept until it is full again, never past its window: one spent whole, for about the
    // window; one that lost a single action, for that action's time at most (gone already, maybe).
    const ttl = await redis.pttl(keys.rateLimit('read', 'all'));
    expect(ttl).toBeGreaterThan(windowSeconds * 1000 - 1_000);
    expect(ttl).toBeLessThanOrEqual(windowSeconds * 1000);
    expect(await redis.pttl(keys.rateLimit('read', 'one'))).toBeLessThanOrEqual(
      Math.ceil((windowSeconds * 1000) / limit) + 1,
    );
    expect(await redis.exists(keys.rateLimit('read', 'more'))).toBe(0); // a refusal writes nothing
  });

  it('should refill the largest budget at its rate, no faster', async () => {
    // 10^9 a second: a million every millisecond, below what a double can add to the time.
    const limiter = createRateLimiter(redis, partitions, 'read', { limit: 1_000_000_000, windowSeconds: 1 });
    const spent = Date.now();
    expect(await limiter.take('a', 1_000_000_000)).toEqual({ allowed: true });
    await waitFor(async () => (await limiter.take('a', 500_000_000)).allowed, {
      what: 'half the budget back',
      timeoutMs: 2_000,
      everyMs: 20,
    });
    expect(Date.now() - spent).toBeGreaterThanOrEqual(480); // half of 1 s, give or take the clocks
  });
});
