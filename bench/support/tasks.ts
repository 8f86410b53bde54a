import { Redis } from 'ioredis';
import { enqueueTask, type EnqueueOptions } from '../../core/enqueue-task.js';
import { createKeys, type Keys } from '../../core/keys.js';
import { createPartitions, type Partitions } from '../../core/partitions.js';
import type { RedisClient } from '../../core/redis.js';
import { createTaskQueues } from '../../core/task-queue.js';
import type { TaskKind } from '../../core/task-kinds/index.js';
import type { InputOf } from '../../core/task-definition.js';
import type { TaskRecord } from '../../core/task-record.js';
import { createTaskStore, type TaskStore } from '../../core/task-store.js';
import type { Queue } from 'bullmq';
import { redisUrl } from './service.js';

/** Options of the tasks a benchmark enqueues (a start time, a priority), beside those it always gives. */
export type BenchTaskOptions = Pick<EnqueueOptions, 'runAt' | 'priority' | 'timeoutSeconds'>;

/**
 * The benchmark's own handle on the tasks of a prefix spread over `count` partitions, on one Redis
 * or a Redis Cluster: enqueue as the API does, pause and resume every partition's queue, count.
 */
export interface PartitionedTasks {
  partitions: Partitions;
  store: TaskStore;
  /** Each partition's queue, by its index. */
  queues: Queue[];
  /** Creates the tasks, `batch` at a time; their records, in the order of `inputs`. */
  enqueue<Kind extends TaskKind>(
    kind: Kind,
    inputs: InputOf<Kind>[],
    batch?: number,
    options?: BenchTaskOptions,
  ): Promise<TaskRecord[]>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Jobs waiting, running or delayed, over every partition's queue. */
  pendingJobs(): Promise<number>;
  /** Task records over every partition's index: all of them, or those in one state. */
  countTasks(state?: string): Promise<number>;
  /** Closes the queues; the connection is the caller's. */
  closeQueues(): Promise<void>;
}

export function partitionedTasks(redis: RedisClient, prefix: string, count: number): PartitionedTasks {
  const partitions = createPartitions(prefix, count);
  const store = createTaskStore(redis, partitions);
  const queues = createTaskQueues(redis, partitions);
  const sum = (counts: number[]) => counts.reduce((total, n) => total + n, 0);
  return {
    partitions,
    store,
    queues,
    async enqueue(kind, inputs, batch = 500, options = {}) {
      const records: TaskRecord[] = [];
      for (let i = 0; i < inputs.length; i += batch) {
        const created = await Promise.all(
          inputs
            .slice(i, i + batch)
            .map((input) =>
              enqueueTask({ store, partitions, queues }, kind, input, { ...options, ttlMs: 3_600_000, owner: null }),
            ),
        );
        records.push(...created);
      }
      return records;
    },
    pause: () => Promise.all(queues.map((queue) => queue.pause())).then(() => undefined),
    resume: () => Promise.all(queues.map((queue) => queue.resume())).then(() => undefined),
    async pendingJobs() {
      const counts = await Promise.all(
        queues.map((queue) => queue.getJobCounts('wait', 'active', 'prioritized', 'delayed')),
      );
      return sum(counts.flatMap((byState) => Object.values(byState)));
    },
    async countTasks(state) {
      return sum(await Promise.all(partitions.all.map(({ keys }) => redis.zcard(keys.index({ state })))));
    },
    closeQueues: () => Promise.all(queues.map((queue) => queue.close())).then(() => undefined),
  };
}

/** The benchmark's own handle on a prefix of the shared Redis, in one partition: enqueue as the API does. */
export interface TaskBench {
  keys: Keys;
  redis: Redis;
  store: TaskStore;
  queue: Queue;
  enqueue: PartitionedTasks['enqueue'];
  close(): Promise<void>;
}

export function createTaskBench(prefix: string): TaskBench {
  const redis = new Redis(redisUrl);
  const tasks = partitionedTasks(redis, prefix, 1);
  return {
    keys: tasks.partitions.all[0]!.keys,
    redis,
    store: tasks.store,
    queue: tasks.queues[0]!,
    enqueue: tasks.enqueue,
    async close() {
      await tasks.closeQueues();
      await redis.quit();
    },
  };
}

export type EventCounts = Awaited<ReturnType<typeof countEvents>>;

/** Counts the events published on the all-tasks channel, by state and in all. */
export async function countEvents(prefix: string) {
  const subscriber = new Redis(redisUrl);
  const counts = { all: 0, byState: new Map<string, number>() };
  subscriber.on('message', (_channel: string, message: string) => {
    counts.all++;
    const state = /"state":"(\w+)"/.exec(message)?.[1] ?? '?';
    counts.byState.set(state, (counts.byState.get(state) ?? 0) + 1);
  });
  await subscriber.subscribe(createKeys(prefix).allTasksChannel);
  return { counts, close: () => subscriber.quit().then(() => undefined) };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
