import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPartitions } from '../core/partitions.js';
import { createRateLimiter } from '../core/rate-limiter.js';
import { REDIS_URL } from './support/stack.js';

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
});
