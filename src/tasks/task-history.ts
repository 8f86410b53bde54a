import { MINUTE_MS, minuteOf } from '../../core/keys.js';
import type { Partitions } from '../../core/partitions.js';
import type { RedisClient } from '../../core/redis.js';
import { waitingToRun } from '../../core/task-store.js';

/** The minutes the history keeps; its buckets expire a little after (core/scripts/includes/history.lua). */
export const HISTORY_MINUTES = 60;

/** As core/scripts/includes/history.lua sets it: a bucket lives this long after its minute began. */
const HISTORY_TTL_MS = 62 * MINUTE_MS;

/** One minute of the service's history, summed over the partitions. */
export interface HistoryMinute {
  /** When the minute began. */
  at: Date;
  /** Tasks that ended COMPLETED in it. */
  completed: number;
  /** Tasks that ended FAILED in it (a run handed back for another attempt is no end). */
  failed: number;
  /**
   * Tasks waiting to run as it began (QUEUED, less delayed tasks not yet due), as an API sampled
   * them; null when none did (no API was running).
   */
  backlog: number | null;
}

/**
 * What the service did, by the minute, over the last hour: the finish scripts count each task that
 * ends in its partition's bucket of that minute, in the call that ends it; the API samples the
 * backlog (QUEUED tasks from the list indexes, less the delayed ones not yet due) once as each
 * minute begins. Buckets are small
 * hashes with a time to live, one per partition and minute, so the history costs Redis a few
 * thousand small keys at most, whatever the load.
 */
export interface TaskHistory {
  /** The last `minutes` minutes, oldest first, the current one last. */
  read(minutes: number): Promise<HistoryMinute[]>;
  /**
   * Writes the backlog of the current minute, once a minute: call it as often as you like (the API's
   * sweep does, every second). Every API instance samples; the first in a minute wins.
   */
  sampleBacklog(): Promise<void>;
}

/**
 * Reads of the whole hour are shared for this long: a read costs a command per partition and
 * minute, and any number of dashboards may ask at once.
 */
const READ_EVERY_MS = 1_000;

const count = (value: string | null | undefined) => (value == null ? 0 : Number(value));

export function createTaskHistory(redis: RedisClient, partitions: Partitions): TaskHistory {
  let lastRead: { at: number; minute: number; value: Promise<HistoryMinute[]> } | null = null;
  let sampledMinute: number | null = null;

  async function readHour(current: number): Promise<HistoryMinute[]> {
    const minutes = Array.from({ length: HISTORY_MINUTES }, (_, i) => current - HISTORY_MINUTES + 1 + i);
    // One HMGET per partition and minute, in one write (the connection pipelines them).
    const buckets = await Promise.all(
      minutes.map((minute) =>
        Promise.all(
          partitions.all.map(({ keys }) => redis.hmget(keys.history(minute), 'completed', 'failed', 'backlog')),
        ),
      ),
    );
    return minutes.map((minute, i) => {
      const inPartitions = buckets[i]!;
      const sampled = inPartitions.filter(([, , backlog]) => backlog != null);
      return {
        at: new Date(minute * MINUTE_MS),
        completed: inPartitions.reduce((sum, [completed]) => sum + count(completed), 0),
        failed: inPartitions.reduce((sum, [, failed]) => sum + count(failed), 0),
        backlog: sampled.length ? sampled.reduce((sum, [, , backlog]) => sum + count(backlog), 0) : null,
      };
    });
  }

  return {
    async read(minutes) {
      const now = Date.now();
      const minute = minuteOf(now);
      if (!lastRead || now - lastRead.at >= READ_EVERY_MS || lastRead.minute !== minute) {
        const value = readHour(minute);
        lastRead = { at: now, minute, value };
        value.catch(() => (lastRead = null)); // a failed read is not kept
      }
      return (await lastRead.value).slice(-minutes);
    },

    async sampleBacklog() {
      const minute = minuteOf(Date.now());
      if (minute === sampledMinute) return;
      sampledMinute = minute;
      try {
        await Promise.all(
          partitions.all.map(async ({ keys }) => {
            const queued = await waitingToRun(redis, keys, Date.now());
            const bucket = keys.history(minute);
            await redis
              .multi()
              .hsetnx(bucket, 'backlog', queued)
              .pexpireat(bucket, minute * MINUTE_MS + HISTORY_TTL_MS)
              .exec();
          }),
        );
      } catch (error) {
        sampledMinute = null; // tried again at the next call
        throw error;
      }
    },
  };
}
