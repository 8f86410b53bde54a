import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { QUEUE_NAME } from '../../core/keys.js';
import { scriptLayouts, scriptSource } from '../../core/redis-scripts.js';
import calculationTask from '../../tasks/calculation.js';
import sleepTask from '../../tasks/sleep.js';
import { addPlainJobs, startRawWorker } from '../support/raw-worker.js';
import { benchPrefix, clean, redisUrl, startService } from '../support/service.js';
import type { Figure, Suite } from '../support/suite.js';
import { createTaskBench, type TaskBench } from '../support/tasks.js';
import { redisCpuMicros } from '../support/usage.js';

const CALCULATIONS = 5_000;
const SLEEPS = 500;
const SLEEP_SECONDS = 2;
const CONCURRENCY = 500; // every sleep at once: the drain is two seconds, not ten
const numbers = Array.from({ length: 10 }, (_, i) => i + 1);

/** What one part of the work sent to Redis and cost it, over a whole drain. */
interface Tally {
  commands: number;
  keys: number;
  bytes: number;
  usec: number;
}

const UNKNOWN = { name: 'a script not known here', service: false };

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** Every script a drain calls, by the SHA1 that EVALSHA names it with: the service's and BullMQ's. */
function scriptNames(): Map<string, { name: string; service: boolean }> {
  const names = new Map<string, { name: string; service: boolean }>();
  for (const [name, { file }] of Object.entries(scriptLayouts)) {
    names.set(sha1(scriptSource(file, { sharded: false })), { name, service: true });
  }
  const requireHere = createRequire(import.meta.url);
  const dir = join(dirname(requireHere.resolve('bullmq')), 'scripts');
  for (const file of readdirSync(dir).filter((name) => /^\w+-\d+\.js$/.test(name))) {
    for (const script of Object.values(
      requireHere(join(dir, file)) as Record<string, { name: string; content: string }>,
    )) {
      names.set(sha1(script.content), { name: `BullMQ ${script.name}`, service: false });
    }
  }
  return names;
}

/** The part of the work a command inside one of the service's scripts does, by the key it touches. */
function serviceRole(command: string, key: string, prefix: string): string {
  if (command === 'publish' || command === 'spublish') return 'publish (task and all-tasks channels)';
  const parts: [string, string][] = [
    [`${prefix}:task:`, 'record'],
    [`${prefix}:index`, 'list indexes'],
    [`${prefix}:expiry`, 'expiry set'],
    [`${prefix}:waiting`, 'waiting set'],
    [`${prefix}:timeline:`, 'timeline'],
    [`${prefix}:history:`, 'history'],
    [`${prefix}:logs:`, 'log'],
  ];
  return parts.find(([start]) => key.startsWith(start))?.[1] ?? `other (${command})`;
}

/** cmdstat_<name>: its calls and microseconds, from INFO commandstats. */
async function commandStats(redis: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const [, name, calls, usec] of (await redis.info('commandstats')).matchAll(
    /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm,
  )) {
    stats.set(name!.replace('|', ' '), { calls: Number(calls), usec: Number(usec) });
  }
  return stats;
}

interface Watched {
  tallies: Map<string, Tally>;
  /** Per part, the calls of each command. */
  counted: Map<string, Map<string, number>>;
  /** The calls of each command made inside scripts. */
  inScripts: Map<string, number>;
}

/**
 * Watches every command Redis runs for this prefix while `drain` runs (MONITOR shows a script's own
 * commands right after its EVALSHA, marked `lua`), and tallies each by the part of the work it does.
 * MONITOR slows Redis several times over: the times come from a drain of its own (timeDrain).
 */
async function watchDrain(prefix: string, drain: () => Promise<void>): Promise<Watched> {
  const names = scriptNames();
  const connection = new Redis(redisUrl);
  const monitor = await connection.monitor(); // a connection of its own
  const watched: Watched = { tallies: new Map(), counted: new Map(), inScripts: new Map() };
  let script: { name: string; service: boolean } | null = null;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const [commandName = '', ...rest] = args;
    const command = commandName.toLowerCase();
    const inScript = source === 'lua';
    const call = command === 'evalsha' || command === 'eval';
    // A script's own commands follow its call: which script it is, whatever keys it names. ioredis
    // sends EVAL once where Redis does not hold the script yet.
    if (!inScript) script = call ? (names.get(command === 'eval' ? sha1(rest[0] ?? '') : rest[0]!) ?? UNKNOWN) : null;
    if (!rest.some((arg) => arg.includes(prefix))) return;
    if (inScript) watched.inScripts.set(command, (watched.inScripts.get(command) ?? 0) + 1);
    let role: string;
    if (call) role = `calls: ${script!.name}`;
    else if (inScript && script?.service) role = serviceRole(command, rest[0]!, prefix);
    else if (inScript) role = (script ?? UNKNOWN).name;
    else role = rest[0]!.includes(`:${QUEUE_NAME}:`) ? `BullMQ ${command}` : `service ${command}`;
    const part = tallyOf(watched.tallies, role);
    part.commands++;
    part.keys += call ? Number(rest[1]) : command.startsWith('publish') ? 0 : 1;
    part.bytes += args.reduce((sum, arg) => sum + Buffer.byteLength(arg), 0);
    const commands = watched.counted.get(role) ?? watched.counted.set(role, new Map()).get(role)!;
    commands.set(command, (commands.get(command) ?? 0) + 1);
  });
  await drain();
  await sleep(200); // the monitor's last lines
  monitor.disconnect();
  connection.disconnect();
  return watched;
}

const tallyOf = (tallies: Map<string, Tally>, role: string) =>
  tallies.get(role) ?? tallies.set(role, { commands: 0, keys: 0, bytes: 0, usec: 0 }).get(role)!;

/** Each command's mean time (INFO commandstats) and the Redis process's CPU over a drain nobody watches. */
async function timeDrain(drain: () => Promise<void>) {
  const admin = new Redis(redisUrl);
  try {
    await admin.config('RESETSTAT');
    const cpuBefore = await redisCpuMicros(admin);
    await drain();
    const cpu = (await redisCpuMicros(admin)) - cpuBefore;
    return { stats: await commandStats(admin), cpu };
  } finally {
    admin.disconnect();
  }
}

/** The watched drain's parts, each priced at its commands' mean times in the timed one. */
function priced({ tallies, counted, inScripts }: Watched, { stats }: Awaited<ReturnType<typeof timeDrain>>) {
  const meanUsec = (command: string) => {
    const stat = stats.get(command);
    return stat && stat.calls > 0 ? stat.usec / stat.calls : 0;
  };
  for (const [role, commands] of counted) {
    if (role.startsWith('calls: ')) continue; // EVALSHA's time is its commands' and Lua's, below
    for (const [command, calls] of commands) tallyOf(tallies, role).usec += calls * meanUsec(command);
  }
  // The timed drain ran as many scripts as the watched one: what its scripts took beyond their
  // commands is Lua's own (the interpreter, cjson, the arguments).
  const inner = [...inScripts].reduce((sum, [command, calls]) => sum + calls * meanUsec(command), 0);
  const scripts = (stats.get('evalsha')?.usec ?? 0) + (stats.get('eval')?.usec ?? 0);
  tallyOf(tallies, "Lua itself (the scripts' time less their commands')").usec = Math.max(0, scripts - inner);
  return tallies;
}

function table(tallies: Map<string, Tally>, tasks: number): string[] {
  const per = (n: number) => (n / tasks).toFixed(n / tasks < 10 ? 2 : 0);
  const rows = [...tallies].sort(([, a], [, b]) => b.usec - a.usec);
  const total = rows.reduce((sum, [, t]) => sum + t.usec, 0);
  return [
    '| part | commands per task | keys per task | bytes sent per task | Redis µs per task |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(([role, t]) => `| ${role} | ${per(t.commands)} | ${per(t.keys)} | ${per(t.bytes)} | ${per(t.usec)} |`),
    `| all commands | | | | ${per(total)} |`,
  ];
}

async function drainUntilEmpty(bench: TaskBench) {
  await bench.queue.resume();
  for (;;) {
    const counts = await bench.queue.getJobCounts('wait', 'active', 'prioritized', 'delayed');
    if (Object.values(counts).every((count) => count === 0)) return;
    await sleep(20);
  }
}

/** The service's worker draining these tasks, watched once and timed once. */
async function profileService(enqueue: (bench: TaskBench) => Promise<number>) {
  const service = await startService({ apis: 0, workers: 1, env: { WORKER_CONCURRENCY: String(CONCURRENCY) } });
  const bench = createTaskBench(service.prefix);
  const queued = async () => {
    await bench.queue.pause();
    return enqueue(bench);
  };
  try {
    while ((await bench.redis.zcard(bench.keys.workers)) === 0) await sleep(100);
    const tasks = await queued();
    const watched = await watchDrain(service.prefix, () => drainUntilEmpty(bench));
    await queued();
    const timed = await timeDrain(() => drainUntilEmpty(bench));
    return { tasks, tallies: priced(watched, timed), cpu: timed.cpu };
  } finally {
    await bench.close();
    await service.stop();
  }
}

/** The baseline: a bare BullMQ worker doing nothing with the same number of plain jobs. */
async function profileBareWorker(tasks: number) {
  const prefix = benchPrefix();
  const bench = createTaskBench(prefix);
  const worker = await startRawWorker(prefix, CONCURRENCY, 'nothing');
  const queued = async () => {
    await bench.queue.pause();
    await addPlainJobs(
      bench,
      Array.from({ length: tasks }, () => ({ numbers, operation: 'SUM' })),
    );
  };
  try {
    await queued();
    const watched = await watchDrain(prefix, () => drainUntilEmpty(bench));
    await queued();
    const timed = await timeDrain(() => drainUntilEmpty(bench));
    return { tallies: priced(watched, timed), cpu: timed.cpu };
  } finally {
    await worker.stop();
    await bench.close();
    await clean(prefix);
  }
}

export const redisWorkSuite: Suite = {
  name: 'redis-work',
  description:
    `What Redis does per task while one worker drains them, part by part: ${CALCULATIONS.toLocaleString('en')} ` +
    `calculations (an instant kind: one script call records the whole run), ${SLEEPS} sleeps of ${SLEEP_SECONDS} s ` +
    `(a kind with steps: start, each step, end), and a bare BullMQ worker doing nothing with ${CALCULATIONS.toLocaleString('en')} ` +
    'plain jobs, at concurrency ' +
    `${CONCURRENCY}. Every command Redis runs for the drain's prefix is watched (MONITOR) and put to the part of the ` +
    "work it does: a command inside one of the service's scripts by the key it touches (the record, the list indexes, the " +
    "timeline, the history, the log, publishing), BullMQ's by its script or command. Its microseconds are its command's " +
    'mean time (INFO commandstats) in a second drain of as many tasks that nobody watches (MONITOR slows Redis ' +
    "several times over); Lua's own time is the scripts' less their commands'. Beside them, the " +
    "Redis process's CPU per task (used_cpu), which adds reading, parsing and answering. Lower is better.",
  async run(log) {
    const calculations = await profileService(async (bench) => {
      await bench.enqueue(
        calculationTask,
        Array.from({ length: CALCULATIONS }, () => ({ numbers, operation: 'SUM' as const })),
      );
      return CALCULATIONS;
    });
    const sleeps = await profileService(async (bench) => {
      await bench.enqueue(
        sleepTask,
        Array.from({ length: SLEEPS }, () => ({ duration: SLEEP_SECONDS })),
      );
      return SLEEPS;
    });
    const bare = await profileBareWorker(CALCULATIONS);
    const sum = (tallies: Map<string, Tally>) => [...tallies.values()].reduce((total, t) => total + t.usec, 0);
    for (const [label, run, tasks] of [
      ['calculation tasks, the service', calculations, calculations.tasks],
      [`sleep tasks of ${SLEEP_SECONDS} s, the service`, sleeps, sleeps.tasks],
      ['plain jobs, a bare BullMQ worker doing nothing', bare, CALCULATIONS],
    ] as const) {
      log(
        `${label}: Redis process CPU ${(run.cpu / tasks).toFixed(0)} µs per task, its commands ${(sum(run.tallies) / tasks).toFixed(0)} µs`,
      );
      for (const line of table(run.tallies, tasks)) log(`  ${line}`);
    }
    const figure = (what: string, value: number, baselineValue: number): Figure => ({
      figure: what,
      unit: 'µs',
      value,
      baseline: 'a bare BullMQ worker doing nothing with plain jobs',
      baselineValue,
      goal: null,
    });
    return [
      figure(
        'Redis command time per calculation task',
        sum(calculations.tallies) / CALCULATIONS,
        sum(bare.tallies) / CALCULATIONS,
      ),
      figure('Redis process CPU per calculation task', calculations.cpu / CALCULATIONS, bare.cpu / CALCULATIONS),
      figure(
        `Redis command time per ${SLEEP_SECONDS} s sleep task`,
        sum(sleeps.tallies) / SLEEPS,
        sum(bare.tallies) / CALCULATIONS,
      ),
    ];
  },
};
