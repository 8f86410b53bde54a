import { calculationTaskApi } from './calculation-task.kind.js';
import { sleepTaskApi } from './sleep-task.kind.js';
import type { TaskKindApi } from './task-kind-api.js';

/** Every task kind the API offers, by kind name. */
export const taskKindApis: Record<string, TaskKindApi> = Object.fromEntries(
  [sleepTaskApi, calculationTaskApi].map((api) => [api.kind.name, api]),
);
