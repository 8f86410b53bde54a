import { randomInt, randomUUID } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { createKeys, type Keys } from './keys.js';

/** Slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16_384;

/** One share of the tasks: its own hash tag, so its own slot, keys, queue and channels. */
export interface Partition {
  index: number;
  keys: Keys;
}

/**
 * Tasks are spread over partitions; every key of one partition holds that partition's hash tag, so
 * a Lua script touches one slot, and on a Redis Cluster the partitions spread over the masters. The
 * keys of the service as a whole (the workers, the partition count) keep the configured prefix.
 *
 * With one partition, its keys are the configured prefix's and a task id is a bare UUID; with
 * several, a task id starts with its partition: `p3-<uuid>`.
 */
export interface Partitions {
  count: number;
  /** Keys of the service as a whole rather than of a partition. */
  meta: Keys;
  all: readonly Partition[];
  /** The partition a task id names, or null for an id that is not a task id of this layout. */
  ofTask(id: string): Partition | null;
  /** A new task id (random, 122 bits), in `partition`, or in each partition in turn. */
  newTask(partition?: Partition): { id: string; partition: Partition };
  /**
   * The partition a key always lands in, so that whatever is kept by it spreads over the shards: a
   * client's rate-limit buckets, an idempotency key's digest, an owner's schedules.
   */
  ofKey(key: string): Partition;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PARTITIONED_ID = /^p(\d{1,3})-([0-9a-f-]{36})$/i;
const HASH_TAG = /\{([^{}]+)\}/;

/**
 * The hash tags of `count` partitions of `base` (the configured prefix's tag). Each is searched for
 * deterministically so that its slot lies in the middle half of its even share of the slot range:
 * partition i of n near slot (i + 1/2) * 16384 / n. Naive tags (`tasks:0`, `tasks:1`...) land where
 * CRC16 puts them, and several would share a master while another has none.
 */
export function partitionTags(base: string, count: number): string[] {
  if (count === 1) return [base];
  return Array.from({ length: count }, (_, index) => {
    const width = CLUSTER_SLOTS / count;
    const from = Math.floor(index * width + width / 4);
    const to = Math.max(from + 1, Math.floor(index * width + (3 * width) / 4));
    for (let attempt = 0; ; attempt++) {
      const tag = attempt === 0 ? `${base}:${index}` : `${base}:${index}.${attempt}`;
      const slot = calculateSlot(tag);
      if (slot >= from && slot < to) return tag;
    }
  });
}

export function createPartitions(prefix: string, count: number): Partitions {
  const base = HASH_TAG.exec(prefix)?.[1];
  if (!base) throw new Error(`the key prefix ${prefix} holds no hash tag`);
  const all = partitionTags(base, count).map((tag, index) => ({
    index,
    keys: createKeys(count === 1 ? prefix : prefix.replace(HASH_TAG, `{${tag}}`)),
  }));
  const meta = count === 1 ? all[0]!.keys : createKeys(prefix);
  // Each process starts at a partition of its own, so that the first tasks of many do not pile up on one.
  let next = randomInt(count);

  return {
    count,
    meta,
    all,
    ofTask(id) {
      if (count === 1) return UUID.test(id) ? all[0]! : null;
      const match = PARTITIONED_ID.exec(id);
      if (!match || !UUID.test(match[2]!)) return null;
      return all[Number(match[1])] ?? null;
    },
    newTask(chosen) {
      const partition = chosen ?? all[next]!;
      if (!chosen) next = (next + 1) % count;
      const uuid = randomUUID();
      return { id: count === 1 ? uuid : `p${partition.index}-${uuid}`, partition };
    },
    ofKey(key) {
      return all[calculateSlot(key) % count]!;
    },
  };
}
