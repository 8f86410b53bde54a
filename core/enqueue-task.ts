import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { TaskKind } from './task-kinds/index.js';
import type { TaskRecord } from './task-record.js';
import type { TaskStore } from './task-store.js';

/**
 * Creates a task's record, then its job (the job id is the task id). The record comes first, so a
 * worker never takes a job whose task it cannot find; a job that cannot be added takes its record
 * back with it.
 */
export async function enqueueTask<Input>(
  { store, queue }: { store: TaskStore; queue: Queue },
  kind: TaskKind<Input>,
  input: Input,
  ttlSeconds: number,
  owner: string | null = null,
): Promise<TaskRecord> {
  const id = randomUUID();
  const ttlMs = ttlSeconds * 1000;
  const record = await store.create({ id, name: kind.name, total: kind.totalSteps(input), input, ttlMs, owner });
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
}
