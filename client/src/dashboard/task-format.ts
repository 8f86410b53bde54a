import type { TaskFieldsFragment } from '../graphql/generated/graphql';
import { humanize } from './kind-fields';

/** A kind as lists and tables name it: `Sleep` for sleep_task, `Prime count` for prime_count_task. */
export function kindLabel(name: string): string {
  return humanize(name.replace(/_task$/, '')) || name;
}

/** A kind as a form's title names it: `Sleep task`. */
export function kindTitle(name: string): string {
  return `${kindLabel(name)} task`;
}

/** What ids of a kind's form start with: `sleep`, `prime-count`. */
export function kindIdPrefix(name: string): string {
  return name.replace(/_task$/, '').replace(/_/g, '-');
}

/** A value of a task's input or result in a few words: lists joined, objects as JSON. */
export function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** A task's fields that a kind's schema names (its input's, its result's), in the schema's order, as read. */
export function fieldsNamed(object: object, schema: unknown): [string, unknown][] {
  const properties =
    typeof schema === 'object' && schema !== null ? (schema as { properties?: unknown }).properties : {};
  const names = typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
  return names.filter((name) => name in object).map((name) => [name, (object as Record<string, unknown>)[name]]);
}

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

/**
 * The result as one short line, or the error: a result of one field as its value (`ok`), of several
 * as `name: value` each (`operation: SUM, value: 6, count: 3`), whatever the kind.
 */
export function outcome(task: TaskFieldsFragment): string {
  if (task.error && task.state === 'FAILED') return task.error;
  const result = 'result' in task ? task.result : null;
  if (!result) return '';
  const fields = Object.entries(result).filter(([name]) => name !== '__typename');
  if (fields.length === 1) return valueText(fields[0]![1]);
  return fields.map(([name, value]) => `${name}: ${valueText(value)}`).join(', ');
}

export function isFinished(task: Pick<TaskFieldsFragment, 'state'>): boolean {
  return task.state === 'COMPLETED' || task.state === 'FAILED' || task.state === 'CANCELLED';
}
