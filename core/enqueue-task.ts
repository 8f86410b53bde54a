import type { Queue } from 'bullmq';
import type { Partitions } from './partitions.js';
import type { TaskKind } from './task-kinds/index.js';
import type { TaskRecord } from './task-record.js';
import type { TaskStore } from './task-store.js';
import { inSpan } from './tracing.js';

export interface EnqueueOptions {
  /** How long the task is kept once finished. */
  ttlMs: number;
  /** Its owner (a token's subject), or null. */
  owner: string | null;
  /** The task it retries, if it is a retry. */
  retryOf?: string | null;
}

export interface TaskQueues {
  store: TaskStore;
  partitions: Partitions;
  /** Each partition's queue, by its index. */
  queues: readonly Queue[];
}

/**
 * Creates a task's record in the next partition in turn, then its job in that partition's queue
 * (the job id is the task id, its name the kind, its data the input). The record comes first, so a
 * worker never takes a job whose task it cannot find; a job that cannot be added takes its record
 * back with it. The input must have been checked.
 */
export async function enqueueTask<Input>(
  { store, partitions, queues }: TaskQueues,
  kind: TaskKind<Input>,
  input: Input,
  { ttlMs, owner, retryOf }: EnqueueOptions,
): Promise<TaskRecord> {
  const { id, partition } = partitions.newTask();
  const queue = queues[partition.index]!;
  // The trace's link from the operation to the worker: BullMQ's `add` under it carries it on.
  return inSpan(`enqueue ${kind.name}`, { attributes: { 'task.id': id, 'task.kind': kind.name } }, async () => {
    const total = kind.totalSteps(input);
    const record = await store.create({ id, name: kind.name, total, input, ttlMs, owner, retryOf });
    try {
      await queue.add(kind.name, input, {
        jobId: id,
        attempts: kind.retry?.attempts ?? 1,
        ...(kind.retry && { backoff: { type: 'exponential', delay: kind.retry.backoffMs } }),
      });
    } catch (error) {
      await store.remove(record).catch(() => undefined);
      throw error;
    }
    return record;
  });
}
