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

/**
 * The fields of a task's input (its `input` JSON), in the order its kind's schema names them, then
 * any the schema does not name (a kind this page has not been told of yet): whatever the kind.
 */
export function inputFields(input: unknown, schema: unknown): [string, unknown][] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [];
  const properties =
    typeof schema === 'object' && schema !== null ? (schema as { properties?: unknown }).properties : {};
  const named = typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
  const names = [...new Set([...named.filter((name) => name in input), ...Object.keys(input)])];
  return names.map((name) => [name, (input as Record<string, unknown>)[name]]);
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
 * as `name: value` each (`operation: SUM, value: 6, count: 3`), whatever the kind (its `output`).
 */
export function outcome(task: Pick<TaskFieldsFragment, 'state' | 'error' | 'output'>): string {
  if (task.error && task.state === 'FAILED') return task.error;
  const { output } = task;
  if (output === null || output === undefined) return '';
  if (typeof output !== 'object' || Array.isArray(output)) return valueText(output);
  const fields = Object.entries(output);
  if (fields.length === 1) return valueText(fields[0]![1]);
  return fields.map(([name, value]) => `${name}: ${valueText(value)}`).join(', ');
}

export function isFinished(task: Pick<TaskFieldsFragment, 'state'>): boolean {
  return task.state === 'COMPLETED' || task.state === 'FAILED' || task.state === 'CANCELLED';
}
