import { calculationTask } from './calculation-task.js';
import { sleepTask } from './sleep-task.js';
import type { TaskKind } from './task-kind.js';

/**
 * Every kind of task the service runs: the one list both sides extend. The worker gives each a
 * processor and the API a mutation and a GraphQL type, each in a table typed by `TaskKindName`, so
 * a kind added here and not there fails to compile.
 */
export const taskKinds = [sleepTask, calculationTask] as const;

export type TaskKindName = (typeof taskKinds)[number]['name'];

/** Kind names come from clients and from jobs: a Map, so that `__proto__` is just an unknown name. */
const byName: ReadonlyMap<string, TaskKind> = new Map(taskKinds.map((kind) => [kind.name, kind as TaskKind]));

export function taskKindNamed(name: string): TaskKind | undefined {
  return byName.get(name);
}

export { calculationTask, sleepTask };
export type { TaskKind };
