import { createHash } from 'node:crypto';
import { taskStates } from './task-state.js';

/**
 * Every Redis key and channel of the service, BullMQ's included, starts with a prefix holding a
 * hash tag (`{tasks}` by default). Each partition of the tasks has a tag of its own
 * (core/partitions.ts), so all of one partition's keys live in one Redis Cluster slot and the Lua
 * scripts that touch several keys stay legal there. Every name is built here, and only here: the
 * Lua scripts get theirs in KEYS (core/scripts/).
 */
export const DEFAULT_PREFIX = '{tasks}';

/** BullMQ's queue name, under the prefix: its keys read `{tasks}:tasks:...`, and Bull Board or Taskforce lists it as `tasks`. */
export const QUEUE_NAME = 'tasks';

/** Owners (token subjects) are any strings: keys use a fixed-length digest of them instead. */
export function ownerKey(owner: string): string {
  return createHash('sha256').update(owner).digest('hex').slice(0, 32);
}

/**
 * Whom a per-client limit counts against: the owner when there is one (one user behind many
 * addresses is one client), else the address. A schedule keeps its creator's, so that its runs
 * draw from the creation allowance its creator's own creates do.
 */
export function limitClient(owner: string | null, address: string): string {
  return owner === null ? `address:${address}` : `owner:${ownerKey(owner)}`;
}

/**
 * An idempotency key is the caller's: the same key from two owners names two creates. A digest, as
 * keys are any strings of up to 200 characters; it also picks the partition the create goes to.
 */
export function idempotencyDigest(owner: string | null, key: string): string {
  return createHash('sha256')
    .update(owner ?? '')
    .update('\0')
    .update(key)
    .digest('hex')
    .slice(0, 32);
}

export function hasHashTag(prefix: string): boolean {
  return /\{[^{}]+\}/.test(prefix);
}

/** Enough of a task to name every key it has: its id, its kind and its owner (null for none). */
export interface TaskIdentity {
  id: string;
  name: string;
  owner: string | null;
}

/**
 * What a task's script takes in KEYS, by position: its record, the expiry set, the creation
 * counter, its channels, its timeline, the history bucket of the minute the script runs in, and
 * `indexes`, the whole set of its list indexes (see taskIndexes).
 */
export type TaskKey =
  | 'record'
  | 'expiry'
  | 'created'
  | 'taskChannel'
  | 'allTasksChannel'
  | 'cancelChannel'
  | 'timeline'
  | 'history'
  | 'logs'
  | 'idempotency'
  | 'idempotentRecord'
  | 'delayed'
  | 'waiting'
  | 'indexes';

/** A create's idempotency key (its digest), and the task it is thought to name, if any. */
export interface IdempotencyRef {
  digest: string;
  taskId?: string;
}

/** The history keeps one bucket a minute (see Keys.history). */
export const MINUTE_MS = 60_000;

/** The minute a time in milliseconds falls in, as history buckets are named: minutes since 1970. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / MINUTE_MS);
}

/** How many list indexes one scope (all tasks, or one owner's) holds a task in: see taskIndexes. */
export const INDEXES_PER_SCOPE = 2 + 2 * taskStates.length;

/** Sets of task indexes kept at once (see taskIndexes in createKeys). */
const MAX_KEPT_INDEX_SETS = 1_000;

export interface Keys {
  prefix: string;
  task(id: string): string;
  expiry: string;
  /** The counter that orders the tasks created in the same millisecond. */
  created: string;
  /** The list index for a filter; with `owner`, the owner's own. */
  index(filter: { state?: string | null; name?: string | null; owner?: string | null }): string;
  /**
   * Every list index a task can be in, whatever its state, in the order the scripts read them
   * (core/scripts/includes/indexes.lua): all, by name, by state for each state of taskStates, by
   * name and state for each; then the same again under the owner when the task has one.
   */
  taskIndexes(task: { name: string; owner: string | null }): string[];
  /**
   * The KEYS of a task's script, in the order its header gives (`layout`); `now`, the time the
   * script is given, names the history bucket of a layout that has one.
   */
  taskKeys(task: TaskIdentity, layout: readonly TaskKey[], now?: number, idempotency?: IdempotencyRef): string[];
  /** A task's timeline: the list of its changes (core/scripts/includes/timeline.lua). */
  timeline(id: string): string;
  /**
   * The delayed tasks of a kind, by the time they start (ZSET of ids): what the backlog leaves out
   * until then (core/scripts/create.lua adds, cancel.lua and remove.lua take out, the sweep drops
   * the ones due).
   */
  delayed(name: string): string;
  /**
   * The partition's waiting tasks by whom they wait for (ZSET: waiter, then its QUEUED tasks here):
   * what MAX_WAITING_PER_OWNER bounds (core/waiting.ts, core/scripts/includes/waiting.lua).
   */
  waiting: string;
  /** A task's log: the lines its runs wrote (core/scripts/append-log.lua). */
  logs(id: string): string;
  /**
   * What an idempotency key answers (core/scripts/create.lua), by its digest (idempotencyDigest):
   * the first task created with it, a digest of what that create asked for, and while an admitted
   * operation holds it, until when (core/scripts/includes/idempotency.lua).
   */
  idempotency(digest: string): string;
  /**
   * The partition's history bucket of one minute (minuteOf): a hash of the tasks that ended in it
   * and of the backlog sampled at its start (core/scripts/includes/history.lua).
   */
  history(minute: number): string;
  workers: string;
  worker(name: string): string;
  /** The partition count every process must agree on (core/partition-count.ts). */
  partitionCount: string;
  taskChannel(id: string): string;
  allTasksChannel: string;
  cancelChannel: string;
  /** A channel nothing publishes on, in the partition's slot (src/tasks/pubsub.ts). */
  probeChannel: string;
  /** One client's bucket of a rate limit, such as `create` (see core/rate-limiter.ts). */
  rateLimit(name: string, client: string): string;
  /** A task schedule's record (core/schedule-store.ts). */
  schedule(id: string): string;
  /** The partition's schedules, whoever owns them, by creation time. */
  schedules: string;
  /** One owner's schedules (scheduleOwner names it), kept in the partition that owner's key names. */
  ownerSchedules(owner: string | null): string;
  /**
   * The slots held for one owner's schedules that admitted operations are about to create, beside
   * its schedules (core/scripts/schedule-hold.lua).
   */
  ownerScheduleHolds(owner: string | null): string;
}

/**
 * Whose schedules an index holds, in a key: an owner's digest, or `none` for the schedules created
 * with authentication off (`none` is no digest, which is hexadecimal). It also picks the partition
 * that keeps the owner's schedules, so that counting them is one command in one slot.
 */
export function scheduleOwner(owner: string | null): string {
  return owner ? ownerKey(owner) : 'none';
}

export function createKeys(prefix: string = DEFAULT_PREFIX): Keys {
  const indexBase = (owner: string | null | undefined) =>
    owner ? `${prefix}:index:owner:${ownerKey(owner)}` : `${prefix}:index`;

  const indexIn = (base: string, { state, name }: { state?: string | null; name?: string | null }) => {
    if (name && state) return `${base}:name:${name}:state:${state}`;
    if (name) return `${base}:name:${name}`;
    if (state) return `${base}:state:${state}`;
    return `${base}:all`;
  };

  const scopeIndexes = (base: string, name: string) => [
    indexIn(base, {}),
    indexIn(base, { name }),
    ...taskStates.map((state) => indexIn(base, { state })),
    ...taskStates.map((state) => indexIn(base, { name, state })),
  ];

  // Every script call of a task passes its indexes: the same few lists over and over (one per kind
  // and owner), kept instead of built each time. Bounded, as names and owners come from outside.
  const indexesOf = new Map<string, readonly string[]>();
  const taskIndexes = (name: string, owner: string | null): readonly string[] => {
    const id = owner ? `${name}\0${owner}` : name;
    let indexes = indexesOf.get(id);
    if (!indexes) {
      const all = scopeIndexes(indexBase(null), name);
      indexes = owner ? [...all, ...scopeIndexes(indexBase(owner), name)] : all;
      if (indexesOf.size >= MAX_KEPT_INDEX_SETS) indexesOf.clear();
      indexesOf.set(id, indexes);
    }
    return indexes;
  };

  const taskKey = (
    { id, name }: TaskIdentity,
    key: Exclude<TaskKey, 'indexes'>,
    now: number | undefined,
    idempotency: IdempotencyRef | undefined,
  ) => {
    switch (key) {
      case 'record':
        return keys.task(id);
      case 'expiry':
        return keys.expiry;
      case 'created':
        return keys.created;
      case 'taskChannel':
        return keys.taskChannel(id);
      case 'allTasksChannel':
        return keys.allTasksChannel;
      case 'cancelChannel':
        return keys.cancelChannel;
      case 'timeline':
        return keys.timeline(id);
      case 'logs':
        return keys.logs(id);
      case 'idempotency':
        // A create without a key is given one it does not touch, so that its KEYS keep their order.
        return keys.idempotency(idempotency?.digest ?? 'none');
      case 'idempotentRecord':
        return keys.task(idempotency?.taskId ?? id);
      case 'delayed':
        return keys.delayed(name);
      case 'waiting':
        return keys.waiting;
      case 'history':
        if (now === undefined) throw new Error('the history key needs the time the script runs at');
        return keys.history(minuteOf(now));
    }
  };

  const keys: Keys = {
    prefix,
    task: (id) => `${prefix}:task:${id}`,
    expiry: `${prefix}:expiry`,
    created: `${prefix}:created`,
    index: (filter) => indexIn(indexBase(filter.owner), filter),
    taskIndexes: ({ name, owner }) => [...taskIndexes(name, owner)],
    taskKeys(task, layout, now, idempotency) {
      const list: string[] = [];
      for (const key of layout) {
        if (key === 'indexes') list.push(...taskIndexes(task.name, task.owner));
        else list.push(taskKey(task, key, now, idempotency));
      }
      return list;
    },
    timeline: (id) => `${prefix}:timeline:${id}`,
    logs: (id) => `${prefix}:logs:${id}`,
    delayed: (name) => `${prefix}:delayed:${name}`,
    waiting: `${prefix}:waiting`,
    idempotency: (digest) => `${prefix}:idempotency:${digest}`,
    history: (minute) => `${prefix}:history:${minute}`,
    workers: `${prefix}:workers`,
    worker: (name) => `${prefix}:worker:${name}`,
    partitionCount: `${prefix}:partitions`,
    taskChannel: (id) => `${prefix}:events:task:${id}`,
    allTasksChannel: `${prefix}:events:all`,
    cancelChannel: `${prefix}:cancel`,
    probeChannel: `${prefix}:events:probe`,
    rateLimit: (name, client) => `${prefix}:rate-limit:${name}:${client}`,
    schedule: (id) => `${prefix}:schedule:${id}`,
    schedules: `${prefix}:schedules:all`,
    ownerSchedules: (owner) => `${prefix}:schedules:owner:${scheduleOwner(owner)}`,
    ownerScheduleHolds: (owner) => `${prefix}:schedules:owner:${scheduleOwner(owner)}:held`,
  };
  return keys;
}
