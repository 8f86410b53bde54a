import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type RunScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/** Runs a Lua script by its SHA, loading it the first time Redis does not know it (or after a restart). */
export function createScript(redis: Redis, source: string): RunScript {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}
