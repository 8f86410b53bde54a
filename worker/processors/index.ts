import type { TaskKindName } from '../../core/task-kinds/index.js';
import { calculationTaskProcessor } from './calculation-task.js';
import { sleepTaskProcessor } from './sleep-task.js';
import type { TaskProcessor } from './task-processor.js';

/** The worker's side of every task kind: a kind of core/task-kinds with no processor here does not compile. */
const byKind = {
  sleep_task: sleepTaskProcessor,
  calculation_task: calculationTaskProcessor,
} satisfies Record<TaskKindName, TaskProcessor>;

export const taskProcessors: readonly TaskProcessor[] = Object.values(byKind);
