import { Redis } from 'ioredis';
import { enqueueTask } from '../../core/enqueue-task.js';
import { createKeys, type Keys } from '../../core/keys.js';
import { createPartitions } from '../../core/partitions.js';
import { createTaskQueue } from '../../core/task-queue.js';
import type { TaskKind } from '../../core/task-kinds/index.js';
import { createTaskStore, type TaskStore } from '../../core/task-store.js';
import type { Queue } from 'bullmq';
import { redisUrl } from './service.js';

/** The benchmark's own handle on a prefix: enqueue as the API does, and watch every change. */
export interface TaskBench {
  keys: Keys;
  redis: Redis;
  store: TaskStore;
  queue: Queue;
  enqueue<Input>(kind: TaskKind<Input>, inputs: Input[], batch?: number): Promise<void>;
  close(): Promise<void>;
}

export function createTaskBench(prefix: string): TaskBench {
  const keys = createKeys(prefix);
  const redis = new Redis(redisUrl);
  const partitions = createPartitions(prefix, 1);
  const store = createTaskStore(redis, partitions);
  const queue = createTaskQueue(redis, prefix);
  return {
    keys,
    redis,
    store,
    queue,
    async enqueue(kind, inputs, batch = 500) {
      for (let i = 0; i < inputs.length; i += batch) {
        await Promise.all(
          inputs
            .slice(i, i + batch)
            .map((input) =>
              enqueueTask({ store, partitions, queues: [queue] }, kind, input, { ttlMs: 3_600_000, owner: null }),
            ),
        );
      }
    },
    async close() {
      await queue.close();
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
