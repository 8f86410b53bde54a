import { calculationTask } from './calculation-task.js';
import { sleepTask } from './sleep-task.js';
import type { TaskKind } from './task-kind.js';

/** Every kind of task the service runs. The worker adds a processor for each, the API a mutation. */
export const taskKinds = {
  [sleepTask.name]: sleepTask,
  [calculationTask.name]: calculationTask,
} as Record<string, TaskKind>;

export const taskKindNames = Object.keys(taskKinds);

export { calculationTask, sleepTask };
export type { TaskKind };
