import type { TaskFieldsFragment } from '../graphql/generated/graphql';

export const kindLabels: Record<string, string> = { sleep_task: 'Sleep', calculation_task: 'Calculation' };

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function time(iso: string | null): string {
  return iso ? new Date(iso).toLocaleTimeString() : '';
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
