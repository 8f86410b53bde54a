import { UnrecoverableError } from 'bullmq';
import type { TaskKind } from '../core/task-kinds/index.js';

/**
 * Characters of JSON one step's detail may take. Every step is published whole to every watcher
 * and kept in the record: a detail is a few numbers or words ("checked up to 40,000,000"), not data.
 */
export const MAX_PROGRESS_DETAIL_CHARS = 4_096;

/**
 * A step's detail, checked by its kind's `progress` schema, as the JSON the record keeps; undefined
 * for none. A detail the kind does not declare, that its schema refuses or that is too long is the
 * kind's own bug: it fails the run (no retry would fix it), with what is wrong.
 */
export function progressDetailJson(kind: TaskKind, current: number, detail: unknown): string | undefined {
  if (detail === undefined) return undefined;
  const step = `step ${current} of ${kind.name}`;
  if (!kind.progress) {
    throw new UnrecoverableError(`${step} reported a progress detail, but its kind declares no \`progress\` schema`);
  }
  const parsed = kind.progress.safeParse(detail);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new UnrecoverableError(`${step} reported an invalid progress detail: ${field}${issue.message}`);
  }
  const json = JSON.stringify(parsed.data);
  if (json.length > MAX_PROGRESS_DETAIL_CHARS) {
    throw new UnrecoverableError(
      `${step} reported a progress detail of ${json.length} characters as JSON, more than ${MAX_PROGRESS_DETAIL_CHARS}`,
    );
  }
  return json;
}
