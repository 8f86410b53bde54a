import type { Redis } from 'ioredis';
import { ownerKey, type Keys } from './keys.js';
import { createScript, type RunScript } from './redis-script.js';
import { hashFromFlat, parseTaskHash, type TaskRecord } from './task-record.js';
import { scriptSource, taskScripts, type TaskScriptName } from './task-scripts.js';
import type { TaskState } from './task-state.js';

/** How a run ended: a terminal state, or QUEUED to hand the task back for another attempt. */
export type RunOutcome =
  { state: 'COMPLETED'; result: unknown } | { state: 'FAILED' | 'QUEUED'; error: string } | { state: 'CANCELLED' };

export interface Step {
  current: number;
  total: number;
}

export interface TaskPage {
  records: TaskRecord[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface PageQuery {
  first: number;
  after?: string | null;
  state?: TaskState | null;
  name?: string | null;
  /** Only this owner's tasks; all tasks when left out. */
  owner?: string | null;
}

export class InvalidCursorError extends Error {}

/**
 * Reads and changes task records in Redis. Both sides use it: the API creates, cancels, deletes
 * and lists; the worker starts, steps and finishes. Holds no connection of its own.
 */
export interface TaskStore {
  create(task: {
    id: string;
    name: string;
    total: number;
    input: unknown;
    ttlSeconds: number;
    owner?: string | null;
  }): Promise<TaskRecord>;
  /** null when the task is unknown or its time to live has run out. */
  get(id: string): Promise<TaskRecord | null>;
  /** ACTIVE when the caller now owns the run; otherwise the reason to skip it. */
  start(id: string, runId: string, worker: string): Promise<TaskState | 'MISSING'>;
  /** false when the run must stop: cancelled, deleted or taken over. */
  progress(id: string, runId: string, step: Step): Promise<boolean>;
  /**
   * false when this run no longer owns the task. With `lastStep`, a step reported just before the
   * end is recorded first (its own event), or the task is cancelled instead (answers 'CANCELLED') if
   * a cancel was requested meanwhile.
   */
  finish(id: string, runId: string, outcome: RunOutcome, lastStep?: Step | null): Promise<boolean | 'CANCELLED'>;
  /**
   * start and finish in one round trip, for a run that has already ended; answers as start does
   * (anything but ACTIVE means nothing was recorded and the outcome is dropped).
   */
  startAndFinish(id: string, runId: string, worker: string, outcome: RunOutcome): Promise<TaskState | 'MISSING'>;
  /** Fails a task still ACTIVE that no run will finish; false when it was not ACTIVE. */
  abandon(id: string, error: string): Promise<boolean>;
  /** null for an unknown task. */
  cancel(id: string): Promise<TaskRecord | null>;
  remove(id: string): Promise<boolean>;
  page(query: PageQuery): Promise<TaskPage>;
  sweepExpired(limit?: number): Promise<number>;
}

function encodeCursor(member: string): string {
  return Buffer.from(member).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const member = Buffer.from(cursor, 'base64url').toString();
  if (!/^\d{15}:\d{6}:[\w-]{1,64}$/.test(member))
    throw new InvalidCursorError(`"${cursor}" is not a cursor of this list`);
  return member;
}

/** state, result, error: as the finish scripts take an outcome. */
function outcomeArgs(outcome: RunOutcome): [string, string, string] {
  const result = outcome.state === 'COMPLETED' ? JSON.stringify(outcome.result) : '';
  const error = outcome.state === 'FAILED' || outcome.state === 'QUEUED' ? outcome.error : '';
  return [outcome.state, result, error];
}

/** current, total, progress (percent): as progress and finish take a step; '' for none. */
function stepArgs(step: Step | null | undefined): [number, number, number] | ['', '', ''] {
  if (!step) return ['', '', ''];
  const { current, total } = step;
  return [current, total, total > 0 ? (current / total) * 100 : 0];
}

function recordFrom(flat: unknown): TaskRecord {
  return parseTaskHash(hashFromFlat(flat as string[]));
}

export function createTaskStore(redis: Redis, keys: Keys): TaskStore {
  const scripts = Object.fromEntries(
    Object.keys(taskScripts).map((name) => [name, createScript(redis, scriptSource(name as TaskScriptName))]),
  ) as Record<TaskScriptName, RunScript>;

  const run = (name: TaskScriptName, key: string, ...args: (string | number)[]) =>
    scripts[name]([key], [keys.prefix, Date.now(), ...args]);

  return {
    async create({ id, name, total, input, ttlSeconds, owner }) {
      const args = [
        id,
        name,
        ttlSeconds * 1000,
        total,
        JSON.stringify(input),
        owner ?? '',
        owner ? ownerKey(owner) : '',
      ];
      const flat = await run('create', keys.task(id), ...args);
      return recordFrom(flat);
    },

    async get(id) {
      const hash = await redis.hgetall(keys.task(id));
      if (!hash.id) return null;
      const record = parseTaskHash(hash);
      if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) return null;
      return record;
    },

    async start(id, runId, worker) {
      return (await run('start', keys.task(id), runId, worker)) as TaskState | 'MISSING';
    },

    async progress(id, runId, step) {
      return (await run('progress', keys.task(id), runId, ...stepArgs(step))) === 'ACTIVE';
    },

    async finish(id, runId, outcome, lastStep) {
      const answer = await run('finish', keys.task(id), runId, ...outcomeArgs(outcome), ...stepArgs(lastStep));
      return answer === 'CANCELLED' ? answer : answer === 1;
    },

    async startAndFinish(id, runId, worker, outcome) {
      const state = await run('startAndFinish', keys.task(id), runId, worker, ...outcomeArgs(outcome));
      return state as TaskState | 'MISSING';
    },

    async abandon(id, error) {
      return (await run('abandon', keys.task(id), error)) === 1;
    },

    async cancel(id) {
      const flat = await run('cancel', keys.task(id));
      return flat ? recordFrom(flat) : null;
    },

    async remove(id) {
      return (await run('remove', keys.task(id))) === 1;
    },

    async page({ first, after, state, name, owner }) {
      const start = after ? `(${decodeCursor(after)}` : '+';
      const index = keys.index({
        state: state ?? undefined,
        name: name ?? undefined,
        ownerKey: owner ? ownerKey(owner) : undefined,
      });
      const [count, ...flats] = (await run('page', index, start, first + 1)) as [number, ...string[][]];
      const page = flats.slice(0, first);
      // Index members are the records' sort keys; the last one on the page is the cursor.
      const lastSortKey = page.length ? hashFromFlat(page.at(-1)!).sortKey : undefined;
      return {
        records: page.map(recordFrom),
        totalCount: count,
        hasNextPage: flats.length > first,
        endCursor: lastSortKey ? encodeCursor(lastSortKey) : null,
      };
    },

    async sweepExpired(limit = 1000) {
      return (await run('sweepExpired', keys.expiry, limit)) as number;
    },
  };
}
