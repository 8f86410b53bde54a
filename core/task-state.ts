/** The life of a task, as clients see it. Stored as-is in Redis and sent as-is over GraphQL. */
export const TaskState = {
  QUEUED: 'QUEUED',
  ACTIVE: 'ACTIVE',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;

export type TaskState = (typeof TaskState)[keyof typeof TaskState];

export const taskStates: readonly TaskState[] = Object.values(TaskState);

export function isTaskState(value: string): value is TaskState {
  return (taskStates as readonly string[]).includes(value);
}

/** A task in a terminal state never changes again; subscriptions end after it. */
export function isTerminal(state: TaskState): boolean {
  return state === 'COMPLETED' || state === 'FAILED' || state === 'CANCELLED';
}
