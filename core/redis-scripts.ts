import { againOnNoScript } from './failover-errors.js';
import { INDEXES_PER_SCOPE, type TaskKey } from './keys.js';
import { luaSource } from './lua-source.js';
import type { RedisClient } from './redis.js';

/**
 * Keys no task script takes: a rate-limit bucket (core/rate-limiter.ts), a schedule's record, the
 * indexes of schedules and the slots held for them (core/schedule-store.ts).
 */
type OtherKey = 'bucket' | 'schedule' | 'schedules' | 'ownerSchedules' | 'ownerScheduleHolds';

const SCHEDULE_KEYS = ['schedule', 'schedules', 'ownerSchedules'] as const;

interface ScriptLayout {
  /** core/scripts/<file>.lua */
  file: string;
  /**
   * Its KEYS, in its header's order, by what they are (keys.taskKeys() builds a task's): `indexes`
   * stands for the task's whole set of list indexes, one scope's worth or two (an owner's).
   */
  keys: readonly (TaskKey | OtherKey)[];
  /** Its ARGV, in its header's order. */
  argv: readonly string[];
  /** Takes any number of values (at least one) after its ARGV. */
  rest?: true;
}

/** Every script that moves a task into or out of QUEUED counts it in the partition's `waiting` set. */
const START_KEYS = ['record', 'expiry', 'taskChannel', 'allTasksChannel', 'timeline', 'waiting', 'indexes'] as const;
/** A run's end may complete or fail the task, which the history of its minute counts. */
const END_KEYS = [
  'record',
  'expiry',
  'taskChannel',
  'allTasksChannel',
  'timeline',
  'history',
  'waiting',
  'indexes',
] as const;
const CANCEL_KEYS = [
  'record',
  'expiry',
  'taskChannel',
  'allTasksChannel',
  'cancelChannel',
  'timeline',
  'delayed',
  'waiting',
  'indexes',
] as const;
/** ARGV[1..3] of every script that moves a task between its indexes: see core/scripts/includes/ref.lua. */
const REF_ARGV = ['now', 'name', 'owner'] as const;
const OUTCOME_ARGV = ['state', 'result', 'error'] as const;

/** Every script of the service, as its header declares it; a test holds the two together. */
export const scriptLayouts = {
  create: {
    file: 'create',
    keys: [
      'record',
      'created',
      'taskChannel',
      'allTasksChannel',
      'timeline',
      'idempotency',
      'idempotentRecord',
      'delayed',
      'waiting',
      'indexes',
    ],
    argv: [
      ...REF_ARGV,
      'id',
      'ttlMs',
      'total',
      'input',
      'retryOf',
      'runAt',
      'priority',
      'timeoutSeconds',
      'scheduleId',
      'request',
      'idempotencyTtlMs',
      'idempotentTaskId',
      'waiter',
      'maxWaiting',
    ],
  },
  start: { file: 'start', keys: START_KEYS, argv: [...REF_ARGV, 'runId', 'worker', 'jobAttempts'] },
  progress: {
    file: 'progress',
    keys: ['record', 'taskChannel', 'allTasksChannel', 'timeline'],
    argv: ['runId', 'current', 'total', 'progress', 'now', 'detail'],
  },
  finish: {
    file: 'finish',
    keys: [...END_KEYS.slice(0, -1), 'logs', 'indexes'],
    argv: [
      ...REF_ARGV,
      'runId',
      ...OUTCOME_ARGV,
      'current',
      'total',
      'progress',
      'detail',
      'maxLogLines',
      'unfinishedLogKeepMs',
      'logLines',
    ],
  },
  startAndFinish: {
    file: 'start-and-finish',
    keys: [...END_KEYS.slice(0, -1), 'logs', 'indexes'],
    argv: [
      ...REF_ARGV,
      'runId',
      'worker',
      ...OUTCOME_ARGV,
      'maxLogLines',
      'unfinishedLogKeepMs',
      'logLines',
      'jobAttempts',
      'input',
    ],
  },
  abandon: { file: 'abandon', keys: END_KEYS, argv: [...REF_ARGV, 'error'] },
  cancel: { file: 'cancel', keys: CANCEL_KEYS, argv: [...REF_ARGV, 'reason'] },
  // A cancel's keys, and the log it deletes.
  remove: { file: 'remove', keys: [...CANCEL_KEYS.slice(0, -1), 'logs', 'indexes'], argv: REF_ARGV },
  forgetExpired: {
    file: 'forget-expired',
    keys: ['record', 'expiry', 'timeline', 'logs', 'waiting', 'indexes'],
    argv: [...REF_ARGV, 'id'],
  },
  rateLimitTake: { file: 'rate-limit-take', keys: ['bucket'], argv: ['limit', 'windowMs', 'cost'] },
  /** Takes any number of lines after its two arguments. */
  appendLog: { file: 'append-log', keys: ['record', 'logs'], argv: ['maxLines', 'unfinishedKeepMs'], rest: true },
  idempotencyHold: {
    file: 'idempotency-hold',
    keys: ['idempotency', 'idempotentRecord'],
    argv: ['now', 'request', 'id', 'heldUntil', 'idempotentTaskId'],
  },
  idempotencyRelease: { file: 'idempotency-release', keys: ['idempotency'], argv: ['written', 'previous'] },
  /** Takes the ids of the schedules to hold a slot for after its three arguments. */
  scheduleHold: {
    file: 'schedule-hold',
    keys: ['ownerSchedules', 'ownerScheduleHolds'],
    argv: ['now', 'heldUntil', 'maxPerOwner'],
    rest: true,
  },
  scheduleCreate: {
    file: 'schedule-create',
    keys: [...SCHEDULE_KEYS, 'ownerScheduleHolds'],
    argv: ['now', 'id', 'kind', 'input', 'cron', 'everySeconds', 'timezone', 'owner', 'ttlMs', 'maxPerOwner', 'client'],
  },
  scheduleRemove: { file: 'schedule-remove', keys: SCHEDULE_KEYS, argv: ['id', 'owner'] },
  scheduleRan: { file: 'schedule-ran', keys: ['schedule'], argv: ['taskId', 'dueAt'] },
  scheduleSkipped: { file: 'schedule-skipped', keys: ['schedule'], argv: ['dueAt'] },
} as const satisfies Record<string, ScriptLayout>;

export type ScriptName = keyof typeof scriptLayouts;

type Arg = string | number;
type ValuesFor<Names extends readonly string[]> = { -readonly [I in keyof Names]: Arg };
/** A script's ARGV: one value for each entry its layout names, then at least one more if it takes the rest. */
export type ScriptArgv<Name extends ScriptName> = (typeof scriptLayouts)[Name] extends { rest: true }
  ? [...ValuesFor<(typeof scriptLayouts)[Name]['argv']>, string, ...string[]]
  : ValuesFor<(typeof scriptLayouts)[Name]['argv']>;

export type Scripts = {
  [Name in ScriptName]: (keys: readonly string[], argv: ScriptArgv<Name>) => Promise<unknown>;
};

/** The numbers of KEYS a script may be called with: its own, plus one or two scopes of indexes. */
export function keyCounts(layout: ScriptLayout): number[] {
  const fixed = layout.keys.filter((key) => key !== 'indexes').length;
  return layout.keys.includes('indexes') ? [fixed + INDEXES_PER_SCOPE, fixed + 2 * INDEXES_PER_SCOPE] : [fixed];
}

export type RunCommand = (...args: Arg[]) => Promise<unknown>;

/**
 * Defines a Lua script as a command of the connection with ioredis' defineCommand, which sends it
 * by its SHA and loads it again when Redis does not know it (NOSCRIPT, after a restart; where that
 * answer still reaches the caller, see againOnNoScript). The command takes its `numberOfKeys` keys
 * first, then its arguments.
 */
export function defineLuaCommand(redis: RedisClient, name: string, lua: string, numberOfKeys: number): RunCommand {
  redis.defineCommand(name, { lua, numberOfKeys });
  // defineCommand adds a method of that name, which ioredis' types cannot know.
  const command = (redis as unknown as Record<string, RunCommand | undefined>)[name];
  if (!command) throw new Error(`ioredis did not define the command ${name}`);
  return command.bind(redis);
}

/**
 * The text Redis runs for a script: its file with its includes, after the one definition the
 * includes take from the loader: changes go out on sharded channels on a cluster
 * (core/scripts/includes/publish.lua).
 */
export function scriptSource(file: string, { sharded }: { sharded: boolean }): string {
  return `local PUBLISH_COMMAND = '${sharded ? 'SPUBLISH' : 'PUBLISH'}'\n${luaSource(file)}`;
}

const defined = new WeakMap<RedisClient, Scripts>();

/**
 * Every script of the service, defined on this connection once, each checked to get the number of
 * keys its header declares.
 */
export function defineScripts(redis: RedisClient): Scripts {
  let scripts = defined.get(redis);
  if (!scripts) {
    scripts = Object.fromEntries(
      Object.entries(scriptLayouts).map(([name, layout]) => [name, defineScript(redis, name, layout)]),
    ) as unknown as Scripts;
    defined.set(redis, scripts);
  }
  return scripts;
}

function defineScript(
  redis: RedisClient,
  name: string,
  layout: ScriptLayout,
): (keys: readonly string[], argv: readonly Arg[]) => Promise<unknown> {
  const counts = keyCounts(layout);
  const lua = scriptSource(layout.file, { sharded: redis.isCluster });
  // One command for each number of keys (a task's indexes vary with its owner), each told its count
  // once: then the first argument is a key, which is what ioredis' auto-pipelining on a cluster
  // groups commands by slot with.
  const runs = new Map(
    counts.map((count) => [count, defineLuaCommand(redis, `task-service:${layout.file}:${count}`, lua, count)]),
  );
  return (keys, argv) => {
    const run = runs.get(keys.length);
    if (!run) throw new Error(`${name} takes ${counts.join(' or ')} keys, not ${keys.length}`);
    if (layout.rest ? argv.length < layout.argv.length + 1 : argv.length !== layout.argv.length) {
      throw new Error(
        `${name} takes ${layout.argv.length} arguments${layout.rest ? ' and more' : ''}, not ${argv.length}`,
      );
    }
    return againOnNoScript(() => run(...keys, ...argv));
  };
}
