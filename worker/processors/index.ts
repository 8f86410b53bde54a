import { calculationTaskProcessor } from './calculation-task.js';
import { sleepTaskProcessor } from './sleep-task.js';
import type { TaskProcessor } from './task-processor.js';

/** One processor per task kind, by kind name. */
export const processors: Record<string, TaskProcessor> = Object.fromEntries(
  [sleepTaskProcessor, calculationTaskProcessor].map((processor) => [processor.kind.name, processor]),
);
