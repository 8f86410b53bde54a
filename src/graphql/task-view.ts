import type { TaskRecord } from '../../core/task-record.js';
import { taskKindApis } from './task-kinds.js';
import type { TaskView } from './task.type.js';

export function toTaskView(record: TaskRecord): TaskView {
  const api = taskKindApis[record.name];
  if (!api) throw new Error(`task ${record.id} has an unknown kind: ${record.name}`);
  return {
    typeName: api.typeName,
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
    ...api.fields(record),
  };
}
