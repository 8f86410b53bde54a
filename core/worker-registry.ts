import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

export interface WorkerInfo {
  name: string;
  concurrency: number;
  startedAt: Date;
  taskNames: string[];
  activeTasks: number;
}

/** A worker that has not written its record for this long is gone (killed, or cut off from Redis). */
export const WORKER_RECORD_TTL_MS = 15_000;

/**
 * Each worker keeps a record with a time to live under its own key and its name in a sorted set
 * scored by the last write; the API lists the set (live names only) and reads the records. The keys
 * are the service's own (Partitions.meta), in one slot, so one MGET reads every record.
 */
export interface WorkerRegistry {
  write(info: WorkerInfo): Promise<void>;
  removeWorker(name: string): Promise<void>;
  list(): Promise<WorkerInfo[]>;
}

export function createWorkerRegistry(redis: RedisClient, keys: Keys): WorkerRegistry {
  return {
    async write(info) {
      const now = Date.now();
      await redis
        .multi()
        .set(keys.worker(info.name), JSON.stringify(info), 'PX', WORKER_RECORD_TTL_MS)
        .zadd(keys.workers, now, info.name)
        .zremrangebyscore(keys.workers, '-inf', now - WORKER_RECORD_TTL_MS)
        .exec();
    },

    async removeWorker(name) {
      await redis.multi().del(keys.worker(name)).zrem(keys.workers, name).exec();
    },

    async list() {
      const names = await redis.zrangebyscore(keys.workers, Date.now() - WORKER_RECORD_TTL_MS, '+inf');
      if (names.length === 0) return [];
      const records = await redis.mget(names.map(keys.worker));
      return records
        .filter((record): record is string => record !== null)
        .map((record) => {
          const info = JSON.parse(record) as WorkerInfo;
          return { ...info, startedAt: new Date(info.startedAt) };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}
