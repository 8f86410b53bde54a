import type { TaskRecord } from '../../core/task-record.js';
import type { TaskKindApi } from './task-kind-api.js';
import type { Task } from './task.type.js';

/** What the resolvers hand to GraphQL: the common fields, the kind's own, and its type name. */
export type TaskView = Task & { typeName: string } & Record<string, unknown>;

/** A task record as its kind's GraphQL type reads it. */
export function viewOf(api: TaskKindApi, record: TaskRecord): TaskView {
  const common = {
    id: record.id,
    name: record.name,
    state: record.state,
    progress: record.progress,
    current: record.current,
    total: record.total,
    worker: record.worker,
    attempts: record.attempts,
    error: record.error,
    version: record.seq,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    expiresAt: record.expiresAt,
    retryOf: record.retryOf,
    runAt: record.runAt,
    priority: record.priority,
    timeoutSeconds: record.timeoutSeconds,
    scheduleId: record.scheduleId,
    input: record.input,
    output: record.state === 'COMPLETED' ? record.result : null,
  } satisfies Task;
  return { ...common, ...api.fields(record), typeName: api.typeName };
}
