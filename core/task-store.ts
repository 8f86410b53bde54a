import type { IdempotencyRef, Keys, TaskIdentity } from './keys.js';
import type { Partitions } from './partitions.js';
import type { RedisClient } from './redis.js';
import { defineScripts, scriptLayouts, type ScriptArgv, type ScriptName } from './redis-scripts.js';
import { hashFromFlat, parseTaskHash, type TaskHash, type TaskRecord } from './task-record.js';
import { taskKinds } from './task-kinds/index.js';
import { isTaskState, type TaskState } from './task-state.js';
import { TooManyWaitingError } from './waiting.js';

/** How a run ended: a terminal state, or QUEUED to hand the task back for another attempt. */
export type RunOutcome =
  { state: 'COMPLETED'; result: unknown } | { state: 'FAILED' | 'QUEUED'; error: string } | { state: 'CANCELLED' };

export interface Step {
  current: number;
  total: number;
  /** The step's detail (its kind's `progress`, checked), as JSON; none when left out. */
  detail?: string;
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

/** An idempotency key already taken by a create that asked for something else. */
export class IdempotencyConflictError extends Error {
  constructor(readonly taskId: string) {
    super('this idempotency key was used with another input or other options');
  }
}

/** A task to create: what its record holds from the start. */
export interface NewTask {
  id: string;
  name: string;
  total: number;
  input: unknown;
  /** How long it is kept once finished, fixed now. */
  ttlMs: number;
  owner: string | null;
  /** The task this one retries (its `retryOf`). */
  retryOf?: string | null;
  /** The time it starts no earlier than (milliseconds), for a delayed task. */
  runAt?: number | null;
  /** 1 (first) to MAX_PRIORITY (core/enqueue-task.ts); a task without one starts after every task with one. */
  priority?: number | null;
  /** Its own time limit, in seconds, below the worker's. */
  timeoutSeconds?: number | null;
  /** The schedule that created it. */
  scheduleId?: string | null;
  /**
   * For an idempotent create: the key's digest (keys.idempotencyDigest, whose partition the id must
   * be in), a digest of the request, how long the key is kept, and the task the key was found to
   * name when it was held (an IdempotencyHold's taskId), which saves a lookup.
   */
  idempotency?: { digest: string; request: string; ttlMs: number; taskId?: string } | null;
  /**
   * Whom it waits for while QUEUED (core/waiting.ts), and how many waiting tasks that one may have in
   * the task's partition (null: no bound); TooManyWaitingError when it has them already.
   */
  waiting?: { waiter: string; max: number | null } | null;
}

/**
 * An idempotency key held for an admitted operation until its creates have run
 * (core/scripts/idempotency-hold.lua): no create of another request takes it meanwhile.
 */
export interface IdempotencyHold {
  digest: string;
  /** The task the key names: its own, or the one the operation will create, `newTaskId`. */
  taskId: string;
  /** The id the operation's first create with the key takes, when the key was free; else null. */
  newTaskId: string | null;
  /** The entry as the hold wrote it and as it was before ('' for none), to give it back. */
  written: string;
  previous: string;
}

/** The lines a run wrote in its task's log, and how many the log keeps. */
export interface RunLog {
  lines: readonly Omit<TaskLogLine, 'at'>[];
  maxLines: number;
}

/** The task created, or the one an idempotency key already named (`created` false: nothing was created). */
export interface CreateAnswer {
  record: TaskRecord;
  created: boolean;
}

/** A line of a task's log (core/scripts/append-log.lua). */
export interface TaskLogLine {
  at: Date;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Enough of a task to name its keys. */
export interface TaskRef {
  id: string;
  /** The task's kind, as the job's name and the record's `name`. */
  name: string;
  /** The owner (a token's subject); null for none; undefined when the caller does not know it (a worker): the store then learns it from Redis. */
  owner?: string | null;
}

/** One change in a task's timeline (core/scripts/includes/timeline.lua), oldest first. */
export interface TaskEvent {
  /** The record's sequence number (version) with this change. */
  seq: number;
  at: Date;
  /** The state the change left the task in. */
  state: TaskState;
  current: number | null;
  total: number | null;
  /** The run it belongs to (1 for the first), when it belongs to one. */
  attempt: number | null;
  /** The worker that started a run, or the error that ended it. */
  message: string | null;
}

/**
 * The record when the run may go on (`again`: the task had finished, and its job was retried in the
 * queue); otherwise the state that says why not.
 */
export type StartAnswer =
  { state: 'ACTIVE'; record: TaskRecord; again: boolean } | { state: Exclude<TaskState, 'ACTIVE'> | 'MISSING' };

/**
 * What startAndFinish answers: ACTIVE when the run was recorded (`again` as for start), else the
 * state that says why not; INPUT when the run was not given the task's own input (the job's data
 * was edited, or could not be read): it must run again with `input`.
 */
export type InstantAnswer =
  | { state: 'ACTIVE'; again: boolean }
  | { state: Exclude<TaskState, 'ACTIVE'> | 'MISSING' }
  | { state: 'INPUT'; input: unknown };

/** The job a worker took up for a run, as the start scripts weigh it. */
export interface TakenJob {
  /** BullMQ's count of the job's finished attempts (`attemptsMade`) as it was taken up. */
  attemptsMade: number;
}

/**
 * Reads and changes task records in Redis. Both sides use it: the API creates, cancels, deletes
 * and lists; the worker starts, steps and finishes. Holds no connection of its own.
 *
 * Every change is one Lua script (core/scripts/), given every key it touches. A method that takes
 * a TaskRef names the task's list indexes from its name and owner; a record whose name or owner
 * differ (an owner the caller did not know, a job renamed outside the service) is changed with the
 * record's own, at the cost of one more call. A TaskRecord is a TaskRef.
 */
export interface TaskStore {
  /** Throws IdempotencyConflictError when its idempotency key was taken by another request. */
  create(task: NewTask): Promise<CreateAnswer>;
  /**
   * Holds an idempotency key (its digest) for a create of this request until `untilMs`; throws
   * IdempotencyConflictError, holding nothing, when the key is another request's.
   */
  holdIdempotencyKey(digest: string, request: string, untilMs: number): Promise<IdempotencyHold>;
  /** Gives a held key back, unless a create has written it since. */
  releaseIdempotencyKey(hold: IdempotencyHold): Promise<void>;
  /** null when the task is unknown or its time to live has run out. */
  get(id: string): Promise<TaskRecord | null>;
  /** The task's timeline, oldest first, as it is now; empty for an unknown task. */
  timeline(id: string): Promise<TaskEvent[]>;
  /** The newest `last` lines of the task's log, oldest first; empty for an unknown task. */
  logs(id: string, last: number): Promise<TaskLogLine[]>;
  /**
   * Appends lines to a task's log, keeping its newest `maxLines`; false for a task that is gone.
   * Lines are cut to MAX_LOG_MESSAGE characters.
   */
  appendLogs(id: string, lines: readonly Omit<TaskLogLine, 'at'>[], maxLines: number): Promise<boolean>;
  /**
   * The record when the caller now owns the run (state ACTIVE); otherwise the reason to skip it. A
   * finished task runs again when its job was retried in the queue (core/scripts/start.lua).
   */
  start(task: TaskRef, runId: string, worker: string, job: TakenJob): Promise<StartAnswer>;
  /** false when the run must stop: cancelled, deleted or taken over. */
  progress(task: TaskRef, runId: string, step: Step): Promise<boolean>;
  /**
   * false when this run no longer owns the task. With `lastStep`, a step reported just before the
   * end is recorded first (its own event), or the task is cancelled instead (answers 'CANCELLED') if
   * a cancel was requested meanwhile.
   */
  finish(
    task: TaskRef,
    runId: string,
    outcome: RunOutcome,
    lastStep?: Step | null,
    log?: RunLog,
  ): Promise<boolean | 'CANCELLED'>;
  /**
   * start and finish in one round trip, for a run that has already ended, given `input` (the
   * task's input as it ran, null when it ran none): anything but ACTIVE means nothing was recorded
   * and the outcome is dropped. The lines the run wrote in its log go with it, in the same call.
   */
  startAndFinish(
    task: TaskRef,
    runId: string,
    worker: string,
    outcome: RunOutcome,
    run: { job: TakenJob; input: unknown; log?: RunLog },
  ): Promise<InstantAnswer>;
  /** Fails a task still ACTIVE that no run will finish; false when it was not ACTIVE. */
  abandon(task: TaskRef, error: string): Promise<boolean>;
  /**
   * null for an unknown task. With a `reason` (its job was removed outside the service), the reason
   * becomes the task's error.
   */
  cancel(task: TaskRef, reason?: string): Promise<TaskRecord | null>;
  remove(task: TaskRef): Promise<boolean>;
  /**
   * Reads only: tasks whose time to live has run out are left out, though the index may still hold
   * them until the next sweepExpired; `totalCount` then counts those the page did not meet. The
   * partitions' indexes are merged, newest first.
   */
  page(query: PageQuery): Promise<TaskPage>;
  /**
   * How many tasks of every owner are in this state (and of this kind) now, as the list indexes of
   * every partition hold them (the metrics read it).
   */
  count(filter: { state: TaskState; name?: string | null }): Promise<number>;
  /**
   * Tasks of a kind waiting to run now, over every partition: QUEUED, less the delayed ones whose
   * start time has not come (they need no worker yet).
   */
  backlog(name: string): Promise<number>;
  /** Waiting (QUEUED) tasks of one waiter (core/waiting.ts), over every partition. */
  waitingOf(waiter: string): Promise<number>;
  /**
   * The most waiting tasks one waiter holds over every partition, among the waiters that hold the
   * most in some partition (a waiter that is nowhere the first yet holds more in all is missed).
   */
  largestWaiting(): Promise<number>;
  /** Forgets up to `limit` tasks of each partition whose time to live has run out; answers their ids. */
  sweepExpired(limit?: number): Promise<string[]>;
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

/**
 * Index members are the records' sort keys: creation time, counter, id. Their order as strings is
 * their order in time, in every partition alike: a page of several partitions is their members merged.
 */
function idOfMember(member: string): string {
  return member.slice(member.indexOf(':', member.indexOf(':') + 1) + 1);
}

/** state, result, error: as the finish scripts take an outcome. */
function outcomeArgs(outcome: RunOutcome): [string, string, string] {
  const result = outcome.state === 'COMPLETED' ? JSON.stringify(outcome.result) : '';
  const error = outcome.state === 'FAILED' || outcome.state === 'QUEUED' ? outcome.error : '';
  return [outcome.state, result, error];
}

/** current, total, progress (percent), detail: as progress and finish take a step; '' for none. */
function stepArgs(step: Step | null | undefined): [number, number, number, string] | ['', '', '', ''] {
  if (!step) return ['', '', '', ''];
  const { current, total, detail = '' } = step;
  return [current, total, total > 0 ? (current / total) * 100 : 0, detail];
}

/** maxLogLines, unfinishedLogKeepMs, logLines: as finish and startAndFinish take a run's log lines. */
function logArgs(log: RunLog | undefined): [number, number, string] {
  const lines = log?.lines.length ? JSON.stringify(logEntries(log.lines)) : '';
  return [log?.maxLines ?? 0, UNFINISHED_LOG_KEEP_MS, lines];
}

const optionalNumber = (value: unknown) => (typeof value === 'string' && value !== '' ? Number(value) : null);

/** A list entry as JSON, or null for one that is not a JSON object (written by hand). */
function jsonObject(entry: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(entry);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** An entry of a timeline as a script wrote it; null for one that is not (written by hand). */
function eventFrom(entry: string): TaskEvent | null {
  const parsed = jsonObject(entry);
  if (!parsed) return null;
  const { seq, at, state, current, total, attempt, message } = parsed;
  if (typeof at !== 'string' || typeof state !== 'string' || !isTaskState(state)) return null;
  return {
    seq: optionalNumber(seq) ?? 0,
    at: new Date(Number(at)),
    state,
    current: optionalNumber(current),
    total: optionalNumber(total),
    attempt: optionalNumber(attempt),
    message: typeof message === 'string' ? message : null,
  };
}

/** Characters of one log line kept; the rest is cut. */
export const MAX_LOG_MESSAGE = 2_000;

/** How long past its time to live an unfinished task's log is kept at most (see append-log.lua). */
const UNFINISHED_LOG_KEEP_MS = 2 * 24 * 3600 * 1000;

const LOG_LEVELS: ReadonlySet<string> = new Set(['info', 'warn', 'error']);

/** A line of a log as append-log.lua keeps it; null for one that is not (written by hand). */
function logLineFrom(entry: string): TaskLogLine | null {
  const parsed = jsonObject(entry);
  if (!parsed) return null;
  const { at, level, message } = parsed;
  if (typeof at !== 'number' || typeof level !== 'string' || !LOG_LEVELS.has(level) || typeof message !== 'string') {
    return null;
  }
  return { at: new Date(at), level: level as TaskLogLine['level'], message };
}

/** Log lines as the log keeps them, stamped now, each cut to MAX_LOG_MESSAGE characters. */
function logEntries(lines: readonly Omit<TaskLogLine, 'at'>[]): string[] {
  const at = Date.now();
  return lines.map(({ level, message }) => JSON.stringify({ at, level, message: message.slice(0, MAX_LOG_MESSAGE) }));
}

/**
 * One partition's tasks waiting to run at `now` (of one kind, or of all): QUEUED, less the delayed
 * ones whose start time has not come (they need no worker yet), read in one moment.
 */
export async function waitingToRun(redis: RedisClient, keys: Keys, now: number, name?: string): Promise<number> {
  const kinds = name ? [name] : taskKinds.map((kind) => kind.name);
  const read = redis.multi().zcard(keys.index({ state: 'QUEUED', name }));
  for (const kind of kinds) read.zcount(keys.delayed(kind), `(${now}`, '+inf');
  const replies = await read.exec();
  if (!replies) throw new Error('the backlog read was aborted');
  for (const [error] of replies) if (error) throw error;
  const [queued, ...delayed] = replies.map(([, count]) => count as number);
  return Math.max(0, queued! - delayed.reduce((sum, count) => sum + count, 0));
}

/** Times a create looks its idempotency key's task up again when the key changed hands meanwhile. */
const IDEMPOTENT_LOOKUPS = 3;

function recordFrom(flat: unknown): TaskRecord {
  return parseTaskHash(hashFromFlat(flat as string[]));
}

/** The record, unless the task is unknown or its time to live has run out by `now`. */
function liveRecord(hash: TaskHash, now: number): TaskRecord | null {
  if (!hash.id) return null;
  const record = parseTaskHash(hash);
  return record.expiresAt && record.expiresAt.getTime() <= now ? null : record;
}

/** The name and owner a script answered instead of changing a task (core/scripts/includes/ref.lua). */
function wrongRef(answer: unknown): Omit<TaskIdentity, 'id'> | null {
  if (!Array.isArray(answer) || answer.length !== 3 || answer[0] !== 'WRONG_REF') return null;
  const [, name, owner] = answer as [string, string, string];
  return { name, owner: owner === '' ? null : owner };
}

type TaskScriptName = Exclude<ScriptName, 'rateLimitTake' | 'appendLog' | `schedule${string}` | `idempotency${string}`>;

const newestFirst = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

export function createTaskStore(redis: RedisClient, partitions: Partitions): TaskStore {
  const scripts = defineScripts(redis);

  /** The keys of a task's partition; the callers have checked the id (a job's id is a task's). */
  const keysOf = (id: string): Keys => {
    const partition = partitions.ofTask(id);
    if (!partition) throw new Error(`${id} is not a task id`);
    return partition.keys;
  };

  // A script's history bucket is the minute of the time it is given: its first argument (refArgv).
  const call = <Name extends TaskScriptName>(
    name: Name,
    task: TaskIdentity,
    argv: ScriptArgv<Name>,
    idempotency?: IdempotencyRef,
  ) => {
    const now = typeof argv[0] === 'number' ? argv[0] : undefined;
    return scripts[name](keysOf(task.id).taskKeys(task, scriptLayouts[name].keys, now, idempotency), argv);
  };

  /** One partition's count of an index and its members from `start` down, read in one moment. */
  async function readIndex(index: string, start: string, limit: number): Promise<{ count: number; members: string[] }> {
    const replies = await redis
      .multi()
      .zcard(index)
      .zrange(index, start, '-', 'BYLEX', 'REV', 'LIMIT', 0, limit)
      .exec();
    if (!replies) throw new Error('the list read was aborted');
    for (const [error] of replies) if (error) throw error;
    const [[, count], [, members]] = replies as [[null, number], [null, string[]]];
    return { count, members };
  }

  /** Forgets up to `limit` tasks of one partition whose time to live has run out: their ids. */
  async function sweepPartition(keys: Keys, limit: number): Promise<string[]> {
    const now = Date.now();
    // Delayed tasks whose time has come are in the backlog like any other: their entries go.
    await Promise.all(taskKinds.map((kind) => redis.zremrangebyscore(keys.delayed(kind.name), '-inf', now)));
    const ids = await redis.zrangebyscore(keys.expiry, '-inf', now, 'LIMIT', 0, limit);
    const owners = await Promise.all(ids.map((id) => redis.hmget(keys.task(id), 'name', 'owner')));
    const forgotten = await Promise.all(
      ids.map(async (id, i) => {
        const [name, owner] = owners[i]!;
        // A record deleted by hand leaves its expiry entry behind, and no name to find its indexes by.
        if (!name) return (await redis.zrem(keys.expiry, id)) > 0;
        const answer = await onTask({ id, name, owner }, (task) => call('forgetExpired', task, [...refArgv(task), id]));
        return answer === 1;
      }),
    );
    return ids.filter((_, i) => forgotten[i]);
  }
  /** ARGV[1..3] of the scripts that check a ref: the time, and the name and owner of the keys. */
  const refArgv = (task: TaskIdentity): [number, string, string] => [Date.now(), task.name, task.owner ?? ''];

  /**
   * Runs a script with the keys of `ref`, an owner the caller does not know taken as none (true of
   * every task when authentication is off). A script given the keys of another name or owner than
   * the record's changes nothing and answers the record's own: then it runs once more with those.
   */
  async function onTask(ref: TaskRef, run: (task: TaskIdentity) => Promise<unknown>): Promise<unknown> {
    const answer = await run({ id: ref.id, name: ref.name, owner: ref.owner ?? null });
    const own = wrongRef(answer);
    if (!own) return answer;
    const again = await run({ id: ref.id, ...own });
    if (wrongRef(again)) throw new Error(`task ${ref.id} changed its name or owner while it was being changed`);
    return again;
  }

  async function appendLogs(id: string, lines: readonly Omit<TaskLogLine, 'at'>[], maxLines: number) {
    const keys = keysOf(id);
    const [first, ...rest] = logEntries(lines);
    if (first === undefined) return true;
    const answer = await scripts.appendLog(
      [keys.task(id), keys.logs(id)],
      [maxLines, UNFINISHED_LOG_KEEP_MS, first, ...rest],
    );
    return answer === 1;
  }

  return {
    async create(newTask) {
      const { id, name, owner, idempotency } = newTask;
      const task = { id, name, owner };
      const optional = (value: number | string | null | undefined) => (value == null ? '' : value);
      let idempotentTaskId = idempotency?.taskId ?? '';
      for (let lookup = 0; lookup <= IDEMPOTENT_LOOKUPS; lookup++) {
        const argv = [
          ...refArgv(task),
          id,
          newTask.ttlMs,
          newTask.total,
          JSON.stringify(newTask.input),
          optional(newTask.retryOf),
          optional(newTask.runAt),
          optional(newTask.priority),
          optional(newTask.timeoutSeconds),
          optional(newTask.scheduleId),
          idempotency?.request ?? '',
          idempotency?.ttlMs ?? 0,
          idempotentTaskId,
          newTask.waiting?.waiter ?? '',
          optional(newTask.waiting?.max),
        ] satisfies ScriptArgv<'create'>;
        const ref = idempotency && { digest: idempotency.digest, taskId: idempotentTaskId || undefined };
        const [answer, value] = (await call('create', task, argv, ref ?? undefined)) as [string, unknown];
        if (answer === 'CREATED' || answer === 'EXISTING') {
          return { record: recordFrom(value), created: answer === 'CREATED' };
        }
        if (answer === 'CONFLICT') throw new IdempotencyConflictError(String(value));
        if (answer === 'TOO_MANY_WAITING') throw new TooManyWaitingError(newTask.waiting!.max!);
        // LOOKUP: the key names a task whose record must be in the call's keys.
        idempotentTaskId = String(value);
      }
      throw new Error(`the idempotency key of task ${id} kept changing hands`);
    },

    async holdIdempotencyKey(digest, request, untilMs) {
      const partition = partitions.ofKey(digest);
      const newId = partitions.newTask(partition).id;
      const { keys } = partition;
      let idempotentTaskId = '';
      for (let lookup = 0; lookup <= IDEMPOTENT_LOOKUPS; lookup++) {
        const answer = (await scripts.idempotencyHold(
          [keys.idempotency(digest), keys.task(idempotentTaskId || newId)],
          [Date.now(), request, newId, untilMs, idempotentTaskId],
        )) as [string, string, string?, string?];
        const [kind, taskId, written, previous] = answer;
        if (kind === 'HELD') {
          return { digest, taskId, newTaskId: taskId === newId ? newId : null, written: written!, previous: previous! };
        }
        if (kind === 'CONFLICT') throw new IdempotencyConflictError(taskId);
        // LOOKUP: the key names a task whose record must be in the call's keys.
        idempotentTaskId = taskId;
      }
      throw new Error(`the idempotency key ${digest} kept changing hands`);
    },

    async releaseIdempotencyKey({ digest, written, previous }) {
      await scripts.idempotencyRelease([partitions.ofKey(digest).keys.idempotency(digest)], [written, previous]);
    },

    async get(id) {
      const partition = partitions.ofTask(id);
      if (!partition) return null;
      return liveRecord(await redis.hgetall(partition.keys.task(id)), Date.now());
    },

    async timeline(id) {
      const partition = partitions.ofTask(id);
      if (!partition) return [];
      const entries = await redis.lrange(partition.keys.timeline(id), 0, -1);
      return entries.map(eventFrom).filter((event) => event !== null);
    },

    async logs(id, last) {
      const partition = partitions.ofTask(id);
      if (!partition) return [];
      const entries = await redis.lrange(partition.keys.logs(id), -last, -1);
      return entries.map(logLineFrom).filter((line) => line !== null);
    },

    appendLogs,

    async start(ref, runId, worker, job) {
      const answer = await onTask(ref, (task) =>
        call('start', task, [...refArgv(task), runId, worker, job.attemptsMade]),
      );
      if (!Array.isArray(answer)) return { state: answer as Exclude<TaskState, 'ACTIVE'> | 'MISSING' };
      const again = answer[0] === 'AGAIN';
      return { state: 'ACTIVE', record: recordFrom(again ? answer[1] : answer), again };
    },

    async progress({ id, name }, runId, step) {
      // A step moves no index: its keys need neither the name nor the owner.
      const [current, total, percent, detail] = stepArgs(step);
      const answer = await call('progress', { id, name, owner: null }, [
        runId,
        current,
        total,
        percent,
        Date.now(),
        detail,
      ]);
      return answer === 'ACTIVE';
    },

    async finish(ref, runId, outcome, lastStep, log) {
      const answer = await onTask(ref, (task) =>
        call('finish', task, [
          ...refArgv(task),
          runId,
          ...outcomeArgs(outcome),
          ...stepArgs(lastStep),
          ...logArgs(log),
        ]),
      );
      // Lines of a run that no longer owns its task are still the task's: written on their own.
      if (answer === 0 && log?.lines.length) await appendLogs(ref.id, log.lines, log.maxLines);
      return answer === 'CANCELLED' ? answer : answer === 1;
    },

    async startAndFinish(ref, runId, worker, outcome, { job, input, log }) {
      const answer = await onTask(ref, (task) =>
        call('startAndFinish', task, [
          ...refArgv(task),
          runId,
          worker,
          ...outcomeArgs(outcome),
          ...logArgs(log),
          job.attemptsMade,
          // No input matches none: the script then answers the task's own.
          input === null ? '' : JSON.stringify(input),
        ]),
      );
      if (Array.isArray(answer)) return { state: 'INPUT', input: JSON.parse(String(answer[1])) as unknown };
      if (answer === 'AGAIN') return { state: 'ACTIVE', again: true };
      if (answer === 'ACTIVE') return { state: 'ACTIVE', again: false };
      return { state: answer as Exclude<TaskState, 'ACTIVE'> | 'MISSING' };
    },

    async abandon(ref, error) {
      return (await onTask(ref, (task) => call('abandon', task, [...refArgv(task), error]))) === 1;
    },

    async cancel(ref, reason = '') {
      const flat = await onTask(ref, (task) => call('cancel', task, [...refArgv(task), reason]));
      return flat ? recordFrom(flat) : null;
    },

    async remove(ref) {
      return (await onTask(ref, (task) => call('remove', task, refArgv(task)))) === 1;
    },

    async page({ first, after, state, name, owner }) {
      const start = after ? `(${decodeCursor(after)}` : '+';
      // One more member than the page, from each partition, tells whether another page follows.
      const reads = await Promise.all(
        partitions.all.map(({ keys }) => readIndex(keys.index({ state, name, owner }), start, first + 1)),
      );
      const count = reads.reduce((sum, read) => sum + read.count, 0);
      const members = reads.length === 1 ? reads[0]!.members : reads.flatMap((read) => read.members).sort(newestFirst);
      const onPage = members.slice(0, first);
      const hashes = await Promise.all(
        onPage.map((member) => {
          const id = idOfMember(member);
          return redis.hgetall(keysOf(id).task(id));
        }),
      );
      const now = Date.now();
      const records = hashes.map((hash) => liveRecord(hash, now)).filter((record) => record !== null);
      return {
        records,
        // Tasks gone or expired since the last sweep are still in the index: those met here are not counted.
        totalCount: count - (onPage.length - records.length),
        hasNextPage: members.length > first,
        // The last member read, not the last record shown: the next page starts after every member
        // this one skipped.
        endCursor: onPage.length ? encodeCursor(onPage.at(-1)!) : null,
      };
    },

    async count({ state, name }) {
      const counts = await Promise.all(partitions.all.map(({ keys }) => redis.zcard(keys.index({ state, name }))));
      return counts.reduce((sum, count) => sum + count, 0);
    },

    async backlog(name) {
      const now = Date.now();
      const counts = await Promise.all(partitions.all.map(({ keys }) => waitingToRun(redis, keys, now, name)));
      return counts.reduce((sum, count) => sum + count, 0);
    },

    async waitingOf(waiter) {
      const counts = await Promise.all(partitions.all.map(({ keys }) => redis.zscore(keys.waiting, waiter)));
      return counts.reduce((sum, count) => sum + Number(count ?? 0), 0);
    },

    async largestWaiting() {
      const tops = await Promise.all(partitions.all.map(({ keys }) => redis.zrange(keys.waiting, 0, 0, 'REV')));
      const waiters = [...new Set(tops.flat())];
      if (waiters.length === 0) return 0;
      const counts = await Promise.all(partitions.all.map(({ keys }) => redis.zmscore(keys.waiting, ...waiters)));
      const totals = waiters.map((_, i) => counts.reduce((sum, partition) => sum + Number(partition[i] ?? 0), 0));
      return Math.max(...totals);
    },

    async sweepExpired(limit = 1000) {
      const swept = await Promise.all(partitions.all.map(({ keys }) => sweepPartition(keys, limit)));
      return swept.flat();
    },
  };
}
