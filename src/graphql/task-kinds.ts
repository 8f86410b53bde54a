import { fromKindFile, taskKinds, type TaskKind } from '../../core/task-kinds/index.js';
import type { TaskRecord } from '../../core/task-record.js';
import type { TaskKindApi } from './task-kind-api.js';
import { buildTaskKindResolver } from './task-kind-resolver.js';
import { buildTaskKindTypes } from './task-kind-types.js';
import { viewOf, type TaskView } from './task-view.js';

function taskKindApiOf(kind: TaskKind): TaskKindApi {
  const types = buildTaskKindTypes(kind);
  const api: TaskKindApi = {
    kind,
    typeName: types.typeName,
    objectType: types.objectType,
    ...buildTaskKindResolver(kind, types, (record) => viewOf(api, record)),
    fields: (record) => ({
      ...(record.input as object),
      result: record.result,
      progressDetail: record.progressDetail,
    }),
  };
  return api;
}

/**
 * The API's side of every kind of tasks/, made once per process: type-graphql keeps every type it
 * is shown, so two schemas built in one process share these.
 */
export const taskKindApis: readonly TaskKindApi[] = taskKinds.map((kind) =>
  fromKindFile(kind, () => taskKindApiOf(kind)),
);

const byKind: ReadonlyMap<string, TaskKindApi> = new Map(taskKindApis.map((api) => [api.kind.name, api]));
const byMutation: ReadonlyMap<string, TaskKindApi> = new Map(taskKindApis.map((api) => [api.createMutation, api]));
const byScheduleMutation: ReadonlyMap<string, TaskKindApi> = new Map(
  taskKindApis.map((api) => [api.scheduleMutation, api]),
);

/** The kind `createTask(kind:)` names: its name, with or without `_task`. */
export function taskKindApiNamed(name: string): TaskKindApi | undefined {
  return byKind.get(name) ?? byKind.get(`${name}_task`);
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
  const api = byKind.get(record.name);
  if (!api) throw new Error(`task ${record.id} has an unknown kind: ${record.name}`);
  return viewOf(api, record);
}
