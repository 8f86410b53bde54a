import { isTaskState, type TaskState } from './task-state.js';

/**
 * One task as stored in its Redis hash and as carried by every change event: the snapshot a query
 * reads and the payload a subscriber receives are the same thing.
 */
export interface TaskRecord {
  id: string;
  name: string;
  state: TaskState;
  progress: number;
  current: number;
  total: number;
  /** The detail the latest step of its run carried (its kind's `progress`), or null when it carried none. */
  progressDetail: unknown;
  worker: string | null;
  attempts: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  expiresAt: Date | null;
  input: unknown;
  result: unknown;
  /** Grows by one with every change, so a subscriber can drop what it has already sent. */
  seq: number;
  cancelRequested: boolean;
  /** Who created it, when authentication is on (the token's subject); null otherwise. */
  owner: string | null;
  /** The task this one was created to retry (retryTask), or null. */
  retryOf: string | null;
  /** The time a delayed task starts no earlier than; null for a task that was not delayed. */
  runAt: Date | null;
  /** 1 (first) to 1000, or null: a task without one starts after every task with one. */
  priority: number | null;
  /** Its own time limit, in seconds; null for the worker's (WORKER_MAX_TIMEOUT). */
  timeoutSeconds: number | null;
  /** The schedule that created it, or null. */
  scheduleId: string | null;
  /** A published change only: when Redis made it (its clock, in milliseconds); never stored. */
  changedAt?: number;
}

/** The wire form of a change: the task's hash fields, or a marker that the task is gone. */
export type TaskHash = Record<string, string>;

export function isDeletedMarker(hash: TaskHash): boolean {
  return hash.deleted === '1';
}

function date(value: string | undefined): Date | null {
  return value ? new Date(Number(value)) : null;
}

function optionalNumber(value: string | undefined): number | null {
  return value ? Number(value) : null;
}

function json(value: string | undefined): unknown {
  return value ? JSON.parse(value) : null;
}

export function parseTaskHash(hash: TaskHash): TaskRecord {
  const { id, name, state } = hash;
  if (!id || !name || !state || !isTaskState(state)) {
    throw new Error(`malformed task record: ${JSON.stringify(hash).slice(0, 200)}`);
  }
  return {
    id,
    name,
    state,
    progress: Number(hash.progress ?? 0),
    current: Number(hash.current ?? 0),
    total: Number(hash.total ?? 0),
    progressDetail: json(hash.progressDetail),
    worker: hash.worker || null,
    attempts: Number(hash.attempts ?? 0),
    error: hash.error || null,
    createdAt: new Date(Number(hash.createdAt)),
    startedAt: date(hash.startedAt),
    finishedAt: date(hash.finishedAt),
    expiresAt: date(hash.expiresAt),
    input: json(hash.input),
    result: json(hash.result),
    seq: Number(hash.seq ?? 0),
    cancelRequested: hash.cancelRequested === '1',
    owner: hash.owner || null,
    retryOf: hash.retryOf || null,
    runAt: date(hash.runAt),
    priority: optionalNumber(hash.priority),
    timeoutSeconds: optionalNumber(hash.timeout),
    scheduleId: hash.scheduleId || null,
    changedAt: hash.changedAt ? Number(hash.changedAt) : undefined,
  };
}

/** Redis answers HGETALL inside Lua as a flat [field, value, ...] list. */
export function hashFromFlat(flat: readonly string[]): TaskHash {
  const hash: TaskHash = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}
