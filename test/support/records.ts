import { randomUUID } from 'node:crypto';
import type { TaskRecord } from '../../core/task-record.js';
import type { TaskStore } from '../../core/task-store.js';

/** A sleep task's record written straight into the store, with no job: for the tests of the scripts. */
export function sleepRecord(
  store: TaskStore,
  { id = randomUUID(), total = 1, ttlMs = 60_000 }: { id?: string; total?: number; ttlMs?: number } = {},
): Promise<TaskRecord> {
  return store
    .create({ id, name: 'sleep_task', total, input: { duration: total }, ttlMs, owner: null })
    .then(({ record }) => record);
}
