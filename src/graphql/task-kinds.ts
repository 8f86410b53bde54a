import type { TaskKindName } from '../../core/task-kinds/index.js';
import type { TaskRecord } from '../../core/task-record.js';
import { calculationTaskApi } from './calculation-task.kind.js';
import { sleepTaskApi } from './sleep-task.kind.js';
import type { TaskKindApi } from './task-kind-api.js';
import { viewOf, type TaskView } from './task-view.js';

/** The API's side of every task kind: a kind of core/task-kinds with no entry here does not compile. */
const apis = {
  sleep_task: sleepTaskApi,
  calculation_task: calculationTaskApi,
} satisfies Record<TaskKindName, TaskKindApi>;

export const taskKindApis: readonly TaskKindApi[] = Object.values(apis);

const byKind: ReadonlyMap<string, TaskKindApi> = new Map(taskKindApis.map((api) => [api.kind.name, api]));
const byMutation: ReadonlyMap<string, TaskKindApi> = new Map(taskKindApis.map((api) => [api.createMutation, api]));
const byScheduleMutation: ReadonlyMap<string, TaskKindApi> = new Map(
  taskKindApis.map((api) => [api.scheduleMutation, api]),
);

function taskKindApiOf(kindName: string): TaskKindApi | undefined {
  return byKind.get(kindName);
}

/** The kind a root mutation field creates, if it is a create mutation. */
export function taskKindCreatedBy(mutationField: string): TaskKindApi | undefined {
  return byMutation.get(mutationField);
}

/** The kind a root mutation field schedules, if it is a schedule mutation. */
export function taskKindScheduledBy(mutationField: string): TaskKindApi | undefined {
  return byScheduleMutation.get(mutationField);
}

/** Any task record as its kind's GraphQL type reads it. */
export function toTaskView(record: TaskRecord): TaskView {
  const api = taskKindApiOf(record.name);
  if (!api) throw new Error(`task ${record.id} has an unknown kind: ${record.name}`);
  return viewOf(api, record);
}
