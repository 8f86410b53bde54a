import { limitClient, scheduleOwner, type Keys } from './keys.js';
import type { Partition, Partitions } from './partitions.js';
import type { RedisClient } from './redis.js';
import { defineScripts, type ScriptArgv } from './redis-scripts.js';

/** A cron expression's time zone when it names none. */
export const DEFAULT_TIMEZONE = 'UTC';

/** When a schedule runs: a cron expression (in a time zone, UTC by default), or every so many seconds. */
export interface ScheduleSpec {
  cron: string | null;
  everySeconds: number | null;
  /** The cron expression's time zone (an IANA name); null for UTC, and for an interval. */
  timezone: string | null;
}

/** A task schedule as its Redis hash holds it: the truth a run reads, whatever BullMQ's job carries. */
export interface ScheduleRecord extends ScheduleSpec {
  id: string;
  /** The kind of task each run creates. */
  kind: string;
  /** Each run's input, checked by the kind's schema when the schedule was created. */
  input: unknown;
  /** Who created it (a token's subject), or null: its tasks are that owner's. */
  owner: string | null;
  /**
   * The client whose creation allowance each run takes from (limitClient in core/keys.ts): its
   * owner, or the address that created it when it has none.
   */
  client: string;
  /** How long each of its tasks is kept once finished, fixed when the schedule was created. */
  ttlMs: number;
  createdAt: Date;
  /** The task the latest run created, and when that run was due; null before the first run. */
  lastTaskId: string | null;
  lastDueAt: Date | null;
  /** Runs that created nothing, as the allowance was spent; and when the latest of them was due. */
  skippedRuns: number;
  lastSkippedAt: Date | null;
}

export type NewSchedule = Omit<
  ScheduleRecord,
  'createdAt' | 'lastTaskId' | 'lastDueAt' | 'skippedRuns' | 'lastSkippedAt'
>;

/**
 * Whose allowance the runs of a schedule made before schedules kept their `client` take from:
 * their owner's, or one bucket shared by those without an owner.
 */
const clientOfOlderSchedule = (owner: string | null) => limitClient(owner, 'unknown');

/** The owner has as many schedules as one may have. */
export class ScheduleLimitError extends Error {
  constructor(readonly limit: number) {
    super(`an owner may have at most ${limit} schedules`);
  }
}

/**
 * Reads and changes task schedules' records. A schedule's id names its partition, as a task's does;
 * every schedule of one owner is in the partition `partitionOf(owner)`, where its owner's index is.
 * Holds no connection of its own; knows nothing of BullMQ.
 */
export interface ScheduleStore {
  /** The partition a new schedule of this owner goes to. */
  partitionOf(owner: string | null): Partition;
  /**
   * Creates it in the slot held for its id (hold), or, without one, throws ScheduleLimitError when
   * the owner's schedules and held slots are `maxPerOwner` already.
   */
  create(schedule: NewSchedule, maxPerOwner: number): Promise<ScheduleRecord>;
  /**
   * Holds a slot for each of these schedule ids (of the owner's partition) until `untilMs`, all
   * or none: throws ScheduleLimitError when the owner's schedules and held slots would pass
   * `maxPerOwner`.
   */
  hold(owner: string | null, ids: readonly string[], maxPerOwner: number, untilMs: number): Promise<void>;
  /** Gives back the slots held for these ids that no schedule has taken. */
  release(owner: string | null, ids: readonly string[]): Promise<void>;
  /** null for an unknown schedule, or an id that is not one. */
  get(id: string): Promise<ScheduleRecord | null>;
  /** Up to `limit` schedules, newest first: one owner's, or every partition's when `owner` is undefined. */
  list(owner: string | null | undefined, limit: number): Promise<ScheduleRecord[]>;
  /** false when it was gone already. */
  remove(schedule: Pick<ScheduleRecord, 'id' | 'owner'>): Promise<boolean>;
  /** Records the task a run due at `dueAt` created; false when the schedule is gone or a later run is recorded. */
  recordRun(id: string, taskId: string, dueAt: number): Promise<boolean>;
  /**
   * Records that the run due at `dueAt` created nothing (its owner's allowance was spent); false
   * when the schedule is gone or that run was recorded already.
   */
  recordSkip(id: string, dueAt: number): Promise<boolean>;
}

function parseScheduleHash(hash: Record<string, string>): ScheduleRecord | null {
  const { id, kind, input, createdAt } = hash;
  if (!id || !kind || input === undefined || !createdAt) return null;
  return {
    id,
    kind,
    input: JSON.parse(input),
    cron: hash.cron || null,
    everySeconds: hash.every ? Number(hash.every) : null,
    timezone: hash.timezone || null,
    owner: hash.owner || null,
    client: hash.client || clientOfOlderSchedule(hash.owner || null),
    ttlMs: Number(hash.ttl),
    createdAt: new Date(Number(createdAt)),
    lastTaskId: hash.lastTaskId || null,
    lastDueAt: hash.lastDueAt ? new Date(Number(hash.lastDueAt)) : null,
    skippedRuns: Number(hash.skippedRuns ?? 0),
    lastSkippedAt: hash.lastSkippedAt ? new Date(Number(hash.lastSkippedAt)) : null,
  };
}

const optional = (value: string | number | null) => (value === null ? '' : value);

export function createScheduleStore(redis: RedisClient, partitions: Partitions): ScheduleStore {
  const scripts = defineScripts(redis);
  const partitionOf = (owner: string | null) => partitions.ofKey(scheduleOwner(owner));
  const keysOf = (id: string): Keys | null => partitions.ofTask(id)?.keys ?? null;
  const scheduleKeys = (keys: Keys, { id, owner }: { id: string; owner: string | null }) => [
    keys.schedule(id),
    keys.schedules,
    keys.ownerSchedules(owner),
  ];
  const holdsOf = (owner: string | null) => partitionOf(owner).keys.ownerScheduleHolds(owner);

  async function read(keys: Keys, id: string): Promise<ScheduleRecord | null> {
    return parseScheduleHash(await redis.hgetall(keys.schedule(id)));
  }

  /** One index's newest `limit` ids, with their creation times. */
  async function newest(index: string, limit: number): Promise<{ id: string; at: number }[]> {
    const flat = await redis.zrange(index, 0, limit - 1, 'REV', 'WITHSCORES');
    const entries: { id: string; at: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: flat[i]!, at: Number(flat[i + 1]) });
    return entries;
  }

  return {
    partitionOf,

    async create(schedule, maxPerOwner) {
      const keys = keysOf(schedule.id);
      if (!keys || keys !== partitionOf(schedule.owner).keys) {
        throw new Error(`${schedule.id} is not a schedule id of its owner's partition`);
      }
      const now = Date.now();
      const argv = [
        now,
        schedule.id,
        schedule.kind,
        JSON.stringify(schedule.input),
        optional(schedule.cron),
        optional(schedule.everySeconds),
        optional(schedule.timezone),
        optional(schedule.owner),
        schedule.ttlMs,
        maxPerOwner,
        schedule.client,
      ] satisfies ScriptArgv<'scheduleCreate'>;
      const createKeys = [...scheduleKeys(keys, schedule), holdsOf(schedule.owner)];
      const [answer] = (await scripts.scheduleCreate(createKeys, argv)) as [string, number];
      if (answer === 'FULL') throw new ScheduleLimitError(maxPerOwner);
      return {
        ...schedule,
        createdAt: new Date(now),
        lastTaskId: null,
        lastDueAt: null,
        skippedRuns: 0,
        lastSkippedAt: null,
      };
    },

    async hold(owner, ids, maxPerOwner, untilMs) {
      const [first, ...rest] = ids;
      if (first === undefined) return;
      const { keys } = partitionOf(owner);
      const [answer] = (await scripts.scheduleHold(
        [keys.ownerSchedules(owner), keys.ownerScheduleHolds(owner)],
        [Date.now(), untilMs, maxPerOwner, first, ...rest],
      )) as [string, number];
      if (answer === 'FULL') throw new ScheduleLimitError(maxPerOwner);
    },

    async release(owner, ids) {
      if (ids.length > 0) await redis.zrem(holdsOf(owner), ...ids);
    },

    async get(id) {
      const keys = keysOf(id);
      return keys && read(keys, id);
    },

    async list(owner, limit) {
      const indexes =
        owner === undefined
          ? partitions.all.map(({ keys }) => ({ keys, index: keys.schedules }))
          : [{ keys: partitionOf(owner).keys, index: partitionOf(owner).keys.ownerSchedules(owner) }];
      const reads = await Promise.all(
        indexes.map(async ({ keys, index }) => (await newest(index, limit)).map((entry) => ({ ...entry, keys }))),
      );
      const entries = reads
        .flat()
        .sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1))
        .slice(0, limit);
      const records = await Promise.all(entries.map(({ keys, id }) => read(keys, id)));
      // A schedule removed between the two reads is left out.
      return records.filter((record) => record !== null);
    },

    async remove(schedule) {
      const keys = keysOf(schedule.id);
      if (!keys) return false;
      const answer = await scripts.scheduleRemove(scheduleKeys(keys, schedule), [
        schedule.id,
        optional(schedule.owner),
      ]);
      return answer === 1;
    },

    async recordRun(id, taskId, dueAt) {
      const keys = keysOf(id);
      if (!keys) return false;
      return (await scripts.scheduleRan([keys.schedule(id)], [taskId, dueAt])) === 1;
    },

    async recordSkip(id, dueAt) {
      const keys = keysOf(id);
      if (!keys) return false;
      return (await scripts.scheduleSkipped([keys.schedule(id)], [dueAt])) === 1;
    },
  };
}
