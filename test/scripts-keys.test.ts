import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueTask } from '../core/enqueue-task.js';
import { idempotencyDigest, limitClient } from '../core/keys.js';
import { scriptLayouts, scriptSource, type ScriptName } from '../core/redis-scripts.js';
import { createScheduleStore } from '../core/schedule-store.js';
import sleepTask from '../tasks/sleep.js';
import calculationTask from '../tasks/calculation.js';
import { createTaskQueue } from '../core/task-queue.js';
import type { TaskState } from '../core/task-state.js';
import { createTaskStore, type TaskStore } from '../core/task-store.js';
import { createRateLimiter } from '../core/rate-limiter.js';
import { declaredKeyCounts, readLuaHeader } from './support/lua-headers.js';
import { monitorRedis, type MonitoredCommand, type RedisMonitor } from './support/redis-monitor.js';
import { startRedisServer, type RedisServer } from '../testbed/redis-server.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

/** One call of one of the service's scripts, and the commands it ran. */
interface ScriptCall {
  script: ScriptName;
  keys: string[];
  commands: string[][];
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const scriptsBySha = new Map(
  Object.entries(scriptLayouts).map(([name, layout]) => [
    sha1(scriptSource(layout.file, { sharded: false })),
    name as ScriptName,
  ]),
);

/**
 * Groups what MONITOR saw into script calls. Redis 7.0 shows an EVAL or EVALSHA line first, then
 * every command the script ran as `[0 lua]` lines, and nothing else in between (a script runs
 * alone). Scripts that are not the service's (BullMQ's) are skipped with their commands.
 */
function scriptCalls(commands: MonitoredCommand[]): ScriptCall[] {
  const calls: ScriptCall[] = [];
  let current: ScriptCall | 'foreign' | null = null;
  for (const { source, args } of commands) {
    if (source === 'lua') {
      if (current === null) throw new Error(`a script's command with no script before it: ${args.join(' ')}`);
      if (current !== 'foreign') current.commands.push(args);
      continue;
    }
    current = null;
    const verb = args[0]!.toLowerCase();
    if (verb !== 'eval' && verb !== 'evalsha') continue;
    const script = scriptsBySha.get(verb === 'eval' ? sha1(args[1]!) : args[1]!);
    const keyCount = Number(args[2]);
    current = script ? { script, keys: args.slice(3, 3 + keyCount), commands: [] } : 'foreign';
    if (script) calls.push(current as ScriptCall);
  }
  return calls;
}

describe('the Lua scripts, as Redis runs them', () => {
  let own: RedisServer;
  let monitor: RedisMonitor;
  let stack: TestStack;
  let calls: ScriptCall[];
  /** What the list read sent, from a connection of its own. */
  let pageCommands: string[][];
  const ownedTask: { id: string; state?: TaskState } = { id: '' };
  let steppedId = '';

  beforeAll(async () => {
    own = await startRedisServer({ fsyncAlways: true });
    monitor = await monitorRedis(own.url);
    stack = await createTestStack({ redisUrl: own.url });
    const store = createTaskStore(stack.redis, stack.partitions);
    const queue = createTaskQueue(stack.redis, stack.keys.prefix);
    const reader = new Redis(own.url);
    try {
      const stateOf = (id: string, state: TaskState) =>
        waitFor(async () => (await store.get(id))?.state === state, { what: `${id} ${state}` });
      const record = (owner: string | null = null, ttlMs = 3_600_000) =>
        store
          .create({ id: randomUUID(), name: sleepTask.name, total: 1, input: { duration: 1 }, ttlMs, owner })
          .then((created) => created.record);
      await stack.startWorker({ concurrency: 10 });

      // start, progress, finish (the last step with it); start-and-finish; a cancelled run.
      const stepped = await enqueueTask(
        { store, partitions: stack.partitions, queues: [queue] },
        sleepTask,
        { duration: 2 },
        { ttlMs: 3_600_000, owner: null },
      );
      steppedId = stepped.id;
      const instant = await enqueueTask(
        { store, partitions: stack.partitions, queues: [queue] },
        calculationTask,
        { numbers: [1, 2], operation: 'SUM' },
        { ttlMs: 3_600_000, owner: null },
      );
      const running = await enqueueTask(
        { store, partitions: stack.partitions, queues: [queue] },
        sleepTask,
        { duration: 30 },
        { ttlMs: 3_600_000, owner: null },
      );
      // An owned task: the worker knows its job, not its owner.
      const owned = await enqueueTask(
        { store, partitions: stack.partitions, queues: [queue] },
        sleepTask,
        { duration: 1 },
        { ttlMs: 3_600_000, owner: 'alice' },
      );
      ownedTask.id = owned.id;
      await stateOf(running.id, 'ACTIVE');
      await store.cancel(running);
      await Promise.all([
        stateOf(stepped.id, 'COMPLETED'),
        stateOf(instant.id, 'COMPLETED'),
        stateOf(running.id, 'CANCELLED'),
        stateOf(owned.id, 'COMPLETED'),
      ]);
      ownedTask.state = (await store.get(owned.id))?.state;

      // cancel queued; remove finished and unfinished; abandon a run nobody ends.
      await store.cancel(await record('bob'));
      await store.remove(instant);
      await store.remove(await record());
      const abandoned = await record();
      await store.start(abandoned, randomUUID(), 'a worker that died', { attemptsMade: 0 });
      await store.abandon(abandoned, 'given up');

      // A task that expires at once, then the sweep.
      const expiring = await store.cancel(await record(null, 1));
      await waitFor(() => Date.now() > expiring!.expiresAt!.getTime(), { what: 'expiry' });
      expect(await store.sweepExpired()).toHaveLength(1);

      // The list read, on a connection of its own.
      const readerStore: TaskStore = createTaskStore(reader, stack.partitions);
      const readerAddress = /addr=(\S+)/.exec(String(await reader.client('INFO')))![1]!;
      const firstPage = await readerStore.page({ first: 2 });
      await readerStore.page({ first: 2, after: firstPage.endCursor, state: 'COMPLETED', owner: 'alice' });

      await createRateLimiter(stack.redis, stack.partitions, 'create', { limit: 5, windowSeconds: 60 }).take(
        'client',
        3,
      );

      // An idempotency key held for an operation, then given back.
      const digest = idempotencyDigest(null, 'a key');
      await store.releaseIdempotencyKey(await store.holdIdempotencyKey(digest, 'a request', Date.now() + 60_000));

      // A schedule: its slot held, created, a run recorded, a run skipped, removed.
      const schedules = createScheduleStore(stack.redis, stack.partitions);
      const scheduleId = stack.partitions.newTask(schedules.partitionOf('alice')).id;
      await schedules.hold('alice', [scheduleId], 10, Date.now() + 60_000);
      const schedule = await schedules.create(
        {
          id: scheduleId,
          kind: sleepTask.name,
          input: { duration: 1 },
          cron: null,
          everySeconds: 60,
          timezone: null,
          owner: 'alice',
          client: limitClient('alice', '127.0.0.1'),
          ttlMs: 3_600_000,
        },
        10,
      );
      await schedules.recordRun(schedule.id, instant.id, Date.now());
      await schedules.recordSkip(schedule.id, Date.now());
      await schedules.remove(schedule);

      const mark = `monitored-${randomUUID()}`;
      await stack.redis.echo(mark);
      await monitor.seen(({ args }) => args[1] === mark);
      const seen = monitor.commands.slice(
        0,
        monitor.commands.findIndex(({ args }) => args[1] === mark),
      );
      calls = scriptCalls(seen);
      const fromReader = seen.filter(({ source }) => source === readerAddress).map(({ args }) => args);
      // After its own CLIENT INFO (and the INFO ioredis sends on connecting): the list reads alone.
      pageCommands = fromReader.slice(fromReader.findIndex(([verb]) => verb!.toLowerCase() === 'client') + 1);
    } finally {
      await queue.close();
      await reader.quit();
    }
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await monitor?.close();
    await own?.close();
  });

  it('should have run every script of the service', () => {
    expect(new Set(calls.map((call) => call.script))).toEqual(new Set(Object.keys(scriptLayouts)));
  });

  it('should show each script its own commands: those after its EVAL or EVALSHA line', () => {
    for (const call of calls.filter(({ script }) => script === 'create')) {
      expect(call.commands[0]).toEqual(['EXISTS', call.keys[0]]);
    }
  });

  it('should call every script with the number of keys its header declares', () => {
    const wrong = calls
      .map((call) => ({ call, counts: declaredKeyCounts(readLuaHeader(scriptLayouts[call.script].file)) }))
      .filter(({ call, counts }) => !counts.includes(call.keys.length))
      .map(({ call, counts }) => `${call.script}: ${call.keys.length} keys, declares ${counts.join(' or ')}`);
    expect(wrong).toEqual([]);
  });

  it('should touch no key that is not among its KEYS', async () => {
    const outside: string[] = [];
    for (const call of calls) {
      for (const command of call.commands) {
        if (/^S?PUBLISH$/i.test(command[0]!)) continue; // channels: next test
        for (const key of await keysOf(command)) {
          if (!call.keys.includes(key)) outside.push(`${call.script}: ${command[0]} ${key}`);
        }
      }
    }
    expect(outside).toEqual([]);
  });

  it('should publish on no channel that is not among its KEYS', () => {
    const publishes = calls.flatMap((call) =>
      call.commands.filter(([verb]) => /^S?PUBLISH$/i.test(verb!)).map(([, channel]) => ({ call, channel: channel! })),
    );
    expect(publishes.length).toBeGreaterThan(0);
    expect(
      publishes
        .filter(({ call, channel }) => !call.keys.includes(channel))
        .map(({ call, channel }) => `${call.script}: ${channel}`),
    ).toEqual([]);
  });

  it("should start an owned task whose owner the worker does not know with its owner's keys, asking once more", () => {
    const starts = calls.filter(({ script, keys }) => script === 'start' && keys[0] === stack.keys.task(ownedTask.id));
    expect(starts.map(({ keys }) => keys.length)).toEqual(declaredKeyCounts(readLuaHeader('start')));
    expect(starts[0]!.commands.map(([verb]) => verb)).toEqual(['HGETALL']); // read the record, changed nothing
    expect(ownedTask.state).toBe('COMPLETED');
  });

  it("should write a run's last log line with its end, in the same call, and an earlier one on its own", () => {
    const logKey = stack.keys.logs(steppedId);
    const finish = calls.find(({ script, keys }) => script === 'finish' && keys[0] === stack.keys.task(steppedId))!;
    const written = finish.commands
      .filter(([verb, key]) => verb === 'RPUSH' && key === logKey)
      .flatMap(([, , ...lines]) => lines.map((line) => (JSON.parse(line) as { message: string }).message));
    expect(written).toEqual(['slept 2 s']);
    const onTheirOwn = calls.filter(({ script, keys }) => script === 'appendLog' && keys[1] === logKey);
    expect(onTheirOwn).toHaveLength(1); // the start's line, a second before the first step
  });

  it('should read a list without writing anything or running a script', () => {
    expect(pageCommands.length).toBeGreaterThan(0);
    expect(new Set(pageCommands.map(([verb]) => verb!.toLowerCase()))).toEqual(
      new Set(['multi', 'zcard', 'zrange', 'exec', 'hgetall']),
    );
  });

  /** The keys of a command, as Redis itself finds them (COMMAND GETKEYS). */
  async function keysOf(command: string[]): Promise<string[]> {
    if (command.length === 1) return []; // TIME and the like
    try {
      return (await stack.redis.call('COMMAND', 'GETKEYS', ...command)) as string[];
    } catch (error) {
      if (error instanceof Error && /no key arguments/.test(error.message)) return [];
      throw error;
    }
  }
});
