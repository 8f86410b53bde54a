import type { Partitions } from './partitions.js';
import type { RedisClient } from './redis.js';

export class PartitionCountError extends Error {}

/**
 * Every API and worker must spread tasks over the same partitions, or one would look for a task
 * where another never put it. The first process to start records its count in Redis; a process
 * configured otherwise stops here, naming both numbers.
 */
export async function checkPartitionCount(redis: RedisClient, partitions: Partitions): Promise<void> {
  const key = partitions.meta.partitionCount;
  // SET ... NX GET: records the count unless one is there, and answers the one that was.
  const recorded = await redis.set(key, String(partitions.count), 'NX', 'GET');
  if (recorded !== null && Number(recorded) !== partitions.count) {
    throw new PartitionCountError(
      `Redis holds tasks spread over ${recorded} partitions (${key}), and this process is configured for ` +
        `${partitions.count} (TASK_PARTITIONS): every API and worker must use the same number`,
    );
  }
}
