import type { TaskFieldsFragment } from '../graphql/generated/graphql';

export const kindLabels: Record<string, string> = { sleep_task: 'Sleep', calculation_task: 'Calculation' };

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function time(iso: string | null): string {
  return iso ? new Date(iso).toLocaleTimeString() : '';
}

/** A time of today as a time, of another day with its date: for start times, which may be days ahead. */
export function when(iso: string, now = Date.now()): string {
  const at = new Date(iso);
  return at.toDateString() === new Date(now).toDateString() ? at.toLocaleTimeString() : at.toLocaleString();
}

/** When a delayed task will start, while it waits for that time; null for any other task. */
export function startsAt(task: Pick<TaskFieldsFragment, 'state' | 'runAt'>, now: number): string | null {
  return task.state === 'QUEUED' && task.runAt && Date.parse(task.runAt) > now ? task.runAt : null;
}

export function percent(task: Pick<TaskFieldsFragment, 'progress'>): string {
  return `${Math.round(task.progress)}%`;
}

/** The result as one short line, or the error. */
export function outcome(task: TaskFieldsFragment): string {
  if (task.error && task.state === 'FAILED') return task.error;
  if (!task.result) return '';
  return 'status' in task.result ? task.result.status : `${task.result.operation}: ${task.result.value}`;
}

export function isFinished(task: Pick<TaskFieldsFragment, 'state'>): boolean {
  return task.state === 'COMPLETED' || task.state === 'FAILED' || task.state === 'CANCELLED';
}
