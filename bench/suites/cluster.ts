/**
 * What running on a Redis Cluster costs per task against a single Redis, in one run. On 2 cores no
 * speed-up can show (three masters share the cores one Redis had), so the figures are CPU time per
 * task: (a) tasks created through the API over HTTP, as the create suite does; (b) calculation tasks
 * drained by one worker process, as the drain suite does. Both deployments are the suite's own and
 * fresh, started the same way (testbed/): a Redis Cluster of three masters with a replica each, and
 * one redis-server with the same settings; the service is started the same way on both, with its
 * default partitions (12 on the cluster, 1 on one Redis).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import { DEFAULT_CLUSTER_PARTITIONS } from '../../core/config.js';
import type { RedisClient } from '../../core/redis.js';
import calculationTask from '../../tasks/calculation.js';
import { startRedisCluster } from '../../testbed/redis-cluster.js';
import { baseNodeArgs, fieldsOf, nodeProcess, tempDir } from '../../testbed/redis-nodes.js';
import { freePort, startService, type RunningService } from '../support/service.js';
import { median, type Figure, type Suite } from '../support/suite.js';
import { partitionedTasks, type PartitionedTasks } from '../support/tasks.js';
import { nodesCpuMicros, processCpuMicros, processCpuSplit, processSyscalls } from '../support/usage.js';
import { BODY, checkSample, CONNECTIONS, load } from './create.js';

/** Tasks created in each measured run, and drained in each. */
const CREATES = 10_000;
const DRAINS = 10_000;
/** Each deployment's first runs, not measured: V8 compiles the processes' hot paths. */
const WARMUP_SECONDS = 3;
const WARMUP_DRAINS = 3_000;
/** How long each deployment's processes are watched doing nothing, before any load. */
const IDLE_SECONDS = 3;
/** Rounds of both deployments in turn, each round starting with the other; the medians count. */
const ROUNDS = 3;
const CONCURRENCY = 100; // the service's default WORKER_CONCURRENCY, as in the drain suite
const GOAL = '<= 1.3';
/**
 * The service's partitions on the cluster: its default, or BENCH_CLUSTER_PARTITIONS (to see what the
 * count costs: each partition is a BullMQ queue, and a worker runs a BullMQ worker for each).
 */
const CLUSTER_PARTITIONS = Number(process.env.BENCH_CLUSTER_PARTITIONS ?? DEFAULT_CLUSTER_PARTITIONS);
/** Each change is published on its task's channel and on the all-tasks channel. */
const PUBLISHES_PER_CHANGE = 2;
const numbers = Array.from({ length: 10 }, (_, i) => i + 1);
const inputs = (count: number) => Array.from({ length: count }, () => ({ numbers, operation: 'SUM' as const }));

type Mode = 'single' | 'cluster';

/** A Redis the suite started, single or a cluster, and what the service needs to run on it. */
interface Deployment {
  mode: Mode;
  /** The service's environment: where Redis is. */
  env: Record<string, string>;
  /** The service's default partitions there. */
  partitions: number;
  /** Every node, masters and replicas. */
  nodes: number[];
  masters: number[];
  /** The redis-server processes of `nodes`, to read their system calls. */
  pids: number[];
  connect(): RedisClient;
  stop(): Promise<void>;
}

const serverPids = (ports: number[]) =>
  Promise.all(ports.map(async (port) => Number((await fieldsOf(port, 'INFO', 'server')).get('process_id'))));

/** Read and write system calls of the Redis servers, summed. */
const redisSyscalls = (deployment: Deployment) =>
  deployment.pids.reduce((sum, pid) => {
    const { reads, writes } = processSyscalls(pid);
    return sum + reads + writes;
  }, 0);

async function startSingle(): Promise<Deployment> {
  const dir = tempDir('bench-redis');
  const port = await freePort();
  const node = nodeProcess(port, dir.path, baseNodeArgs(port, dir.path));
  const stop = async () => {
    await node.stop();
    dir.remove();
  };
  try {
    await node.start();
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `redis://127.0.0.1:${port}`;
  return {
    mode: 'single',
    env: { REDIS_URL: url },
    partitions: 1,
    nodes: [port],
    masters: [port],
    pids: await serverPids([port]),
    connect: () => new Redis(url),
    stop,
  };
}

async function startCluster(): Promise<Deployment> {
  const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  try {
    const masters = (await cluster.masters()).map(({ port }) => port);
    const nodes = cluster.nodes.map((node) => Number(node.split(':')[1]));
    return {
      mode: 'cluster',
      env: { REDIS_CLUSTER_NODES: cluster.nodes.join(','), TASK_PARTITIONS: String(CLUSTER_PARTITIONS) },
      partitions: CLUSTER_PARTITIONS,
      nodes,
      masters,
      pids: await serverPids(nodes),
      connect: () => new Cluster(nodes.map((port) => ({ host: '127.0.0.1', port }))),
      stop: () => cluster.stop(),
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** Publishes on the masters and pub/sub messages sent between nodes, so far. */
interface PubSubCounts {
  publishes: number;
  busMessages: number;
}

async function pubSubCounts(deployment: Deployment): Promise<PubSubCounts> {
  const calls = (stats: Map<string, string>, command: string) =>
    Number(/calls=(\d+)/.exec(stats.get(`cmdstat_${command}`) ?? '')?.[1] ?? 0);
  let publishes = 0;
  for (const port of deployment.masters) {
    const stats = await fieldsOf(port, 'INFO', 'commandstats');
    publishes += calls(stats, 'publish') + calls(stats, 'spublish');
  }
  let busMessages = 0;
  if (deployment.mode === 'cluster') {
    for (const port of deployment.nodes) {
      const info = await fieldsOf(port, 'CLUSTER', 'INFO');
      for (const type of ['publish', 'publishshard']) {
        busMessages += Number(info.get(`cluster_stats_messages_${type}_sent`) ?? 0);
      }
    }
  }
  return { publishes, busMessages };
}

/** What one measured run cost, per task; CPU times in microseconds. */
interface Run {
  rate: number;
  /** The API process for a create run, the worker process for a drain run. */
  serviceCpu: number;
  /** The part of it spent in the kernel (system calls: its sockets). */
  serviceSystemCpu: number;
  /** Every Redis node, masters and replicas. */
  redisCpu: number;
  mastersCpu: number;
  /** The service process and every Redis node. */
  totalCpu: number;
  /** The service process's write system calls (its sockets), and the Redis servers' reads and writes. */
  serviceWrites: number;
  serviceBytesWritten: number;
  redisSyscalls: number;
  /** Pub/sub publishes and messages between nodes per change of a task. */
  publishes: number;
  busMessages: number;
}

/**
 * Measures `work` (which answers how many tasks it handled and in how many seconds): the CPU time
 * the service process `pid` and the Redis nodes used meanwhile, and the pub/sub traffic.
 */
async function measured(
  deployment: Deployment,
  pid: number,
  changesPerTask: number,
  work: () => Promise<{ tasks: number; seconds: number }>,
): Promise<Run> {
  const before = {
    service: processCpuMicros(pid),
    serviceSystem: processCpuSplit(pid).system,
    serviceWrites: processSyscalls(pid).writes,
    serviceBytesWritten: processSyscalls(pid).bytesWritten,
    redisSyscalls: redisSyscalls(deployment),
    redis: await nodesCpuMicros(deployment.nodes),
    masters: await nodesCpuMicros(deployment.masters),
    pubsub: await pubSubCounts(deployment),
  };
  const { tasks, seconds } = await work();
  const service = (processCpuMicros(pid) - before.service) / tasks;
  const serviceSystem = (processCpuSplit(pid).system - before.serviceSystem) / tasks;
  const serviceWrites = (processSyscalls(pid).writes - before.serviceWrites) / tasks;
  const serviceBytesWritten = (processSyscalls(pid).bytesWritten - before.serviceBytesWritten) / tasks;
  const redisCalls = (redisSyscalls(deployment) - before.redisSyscalls) / tasks;
  const redis = ((await nodesCpuMicros(deployment.nodes)) - before.redis) / tasks;
  const masters = ((await nodesCpuMicros(deployment.masters)) - before.masters) / tasks;
  const pubsub = await pubSubCounts(deployment);
  const changes = tasks * changesPerTask;
  return {
    rate: tasks / seconds,
    serviceCpu: service,
    serviceSystemCpu: serviceSystem,
    redisCpu: redis,
    mastersCpu: masters,
    totalCpu: service + redis,
    serviceWrites,
    serviceBytesWritten,
    redisSyscalls: redisCalls,
    publishes: (pubsub.publishes - before.pubsub.publishes) / changes,
    busMessages: (pubsub.busMessages - before.pubsub.busMessages) / changes,
  };
}

const summary = (run: Run) =>
  `${run.rate.toFixed(0)} tasks/s; CPU per task: service ${run.serviceCpu.toFixed(0)} µs ` +
  `(${run.serviceSystemCpu.toFixed(0)} in the kernel), Redis ` +
  `${run.redisCpu.toFixed(0)} µs (masters ${run.mastersCpu.toFixed(0)}); system calls per task: service writes ` +
  `${run.serviceWrites.toFixed(2)} (${run.serviceBytesWritten.toFixed(0)} bytes), Redis reads and writes ` +
  `${run.redisSyscalls.toFixed(2)}; per change ${run.publishes.toFixed(2)} ` +
  `publishes, ${run.busMessages.toFixed(2)} messages between nodes`;

/** One deployment with the service's API or worker on it, and the suite's own handle on its tasks. */
interface Target {
  deployment: Deployment;
  service: RunningService;
  /** The service's one process: its API, or its worker. */
  pid: number;
  redis: RedisClient;
  tasks: PartitionedTasks;
}

async function startTarget(deployment: Deployment, service: RunningService): Promise<Target> {
  const redis = deployment.connect();
  const tasks = partitionedTasks(redis, service.prefix, deployment.partitions);
  return { deployment, service, pid: service.apiPids[0] ?? service.workerPids[0]!, redis, tasks };
}

async function stopTarget(target: Target): Promise<void> {
  await target.tasks.closeQueues();
  await target.redis.quit();
  await target.service.stop();
}

/** `amount` createSleepTask mutations (or `seconds` of them) from the create suite's load generator. */
async function create(target: Target, { amount, seconds }: { amount?: number; seconds?: number }): Promise<Run> {
  const { deployment, service, tasks } = target;
  const before = await tasks.countTasks();
  const run = await measured(deployment, target.pid, 1, async () => {
    const { measured: result } = await load({
      url: `${service.urls[0]}/graphql`,
      body: BODY,
      connections: CONNECTIONS,
      warmupSeconds: 0,
      seconds: seconds ?? 60,
      ...(amount !== undefined && { amount }),
    });
    const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
    if (failed > 0 || (amount !== undefined && result.ok !== amount)) {
      throw new Error(`${deployment.mode}: ${result.ok} tasks created, ${failed} requests failed`);
    }
    return { tasks: result.ok, seconds: result.duration };
  });
  // Requests cut off when a timed run ends may still be enqueued: let the server finish them.
  if (amount === undefined) await sleep(500);
  const records = (await tasks.countTasks()) - before;
  if (amount !== undefined && records !== amount) {
    throw new Error(`${deployment.mode}: ${amount} tasks answered, ${records} records written`);
  }
  return run;
}

/** Enqueues `count` calculations into the paused queues, then times the worker draining them. */
async function drain(target: Target, count: number): Promise<Run> {
  const { deployment, tasks } = target;
  await tasks.pause();
  await tasks.enqueue(calculationTask, inputs(count));
  const completedBefore = await tasks.countTasks('COMPLETED');
  const run = await measured(deployment, target.pid, 2, async () => {
    const started = performance.now();
    await tasks.resume();
    while ((await tasks.pendingJobs()) > 0) await sleep(20);
    return { tasks: count, seconds: (performance.now() - started) / 1000 };
  });
  const completed = (await tasks.countTasks('COMPLETED')) - completedBefore;
  if (completed !== count) throw new Error(`${deployment.mode}: ${completed} of ${count} tasks completed`);
  return run;
}

/** Until the worker has written its record: it has subscribed and its BullMQ workers are ready. */
async function workerReady(target: Target): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await target.redis.zcard(target.tasks.partitions.meta.workers)) === 0) {
    if (Date.now() > deadline) throw new Error(`${target.deployment.mode}: the worker did not start`);
    await sleep(100);
  }
}

/** CPU time used per second by a deployment's service process and its Redis servers, doing nothing. */
interface Idle {
  serviceCpu: number;
  redisCpu: number;
}

/** Watches both deployments at once for IDLE_SECONDS: milliseconds of CPU time per second. */
async function idle(targets: Record<Mode, Target>): Promise<Record<Mode, Idle>> {
  const read = async ({ pid, deployment }: Target) => ({
    service: processCpuMicros(pid),
    redis: await nodesCpuMicros(deployment.nodes),
  });
  const before = { single: await read(targets.single), cluster: await read(targets.cluster) };
  const started = performance.now();
  await sleep(IDLE_SECONDS * 1000);
  const ms = performance.now() - started;
  const since = async (mode: Mode): Promise<Idle> => {
    const after = await read(targets[mode]);
    return {
      serviceCpu: (after.service - before[mode].service) / ms,
      redisCpu: (after.redis - before[mode].redis) / ms,
    };
  };
  return { single: await since('single'), cluster: await since('cluster') };
}

type Phase = 'create' | 'drain';

interface PhaseResult {
  runs: Record<Mode, Run[]>;
  idle: Record<Mode, Idle>;
}

/**
 * Watches both deployments idle, then runs `measure` on both, first once each not counted, then in
 * ROUNDS rounds, each round starting with the other deployment.
 */
async function rounds(
  phase: Phase,
  targets: Record<Mode, Target>,
  warmup: (target: Target) => Promise<Run>,
  measure: (target: Target) => Promise<Run>,
  log: (line: string) => void,
): Promise<PhaseResult> {
  log(
    `${phase}: the service's process on the single Redis ${targets.single.pid}, on the cluster ${targets.cluster.pid}`,
  );
  const still = await idle(targets);
  for (const mode of ['single', 'cluster'] as const) {
    const { serviceCpu, redisCpu } = still[mode];
    log(
      `${phase}, ${mode}, idle: CPU per second: service ${serviceCpu.toFixed(1)} ms, Redis ${redisCpu.toFixed(1)} ms`,
    );
  }
  for (const mode of ['single', 'cluster'] as const) {
    log(`${phase}, ${mode} (first run, not counted): ${summary(await warmup(targets[mode]))}`);
  }
  const runs: Record<Mode, Run[]> = { single: [], cluster: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Mode[] = round % 2 ? ['cluster', 'single'] : ['single', 'cluster'];
    for (const mode of order) {
      const run = await measure(targets[mode]);
      log(`${phase}, ${mode}: ${summary(run)}`);
      runs[mode].push(run);
    }
  }
  return { runs, idle: still };
}

/** Starts the service's processes on both deployments at once, and stops them after `body`. */
async function withTargets<T>(
  deployments: Record<Mode, Deployment>,
  options: { apis: number; workers: number; env?: Record<string, string> },
  body: (targets: Record<Mode, Target>) => Promise<T>,
): Promise<T> {
  const started = await Promise.allSettled(
    (['single', 'cluster'] as const).map(async (mode) => {
      const deployment = deployments[mode];
      const env = { ...deployment.env, ...options.env };
      return startTarget(deployment, await startService({ ...options, env, deleteKeys: false }));
    }),
  );
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const [single, cluster] = running as [Target, Target];
    return await body({ single, cluster });
  } finally {
    await Promise.all(running.map(stopTarget));
  }
}

const labels: Record<Phase, { what: string; process: string }> = {
  create: { what: `create (${CREATES} createSleepTask over HTTP)`, process: 'API process' },
  drain: { what: `drain (${DRAINS} calculations, one worker)`, process: 'worker process' },
};
const BASELINE = 'single Redis, 1 partition';

function figures(phase: Phase, { runs, idle: still }: PhaseResult): Figure[] {
  const { what, process: processName } = labels[phase];
  const figure = (name: string, unit: string, field: keyof Run, goal: string | null): Figure => ({
    figure: `${what}: ${name}`,
    unit,
    value: median(runs.cluster.map((run) => run[field])),
    baseline: BASELINE,
    baselineValue: median(runs.single.map((run) => run[field])),
    goal,
    // Each round measured both back to back: the median of the rounds' own ratios.
    pairedRatio: median(runs.cluster.map((run, round) => run[field] / runs.single[round]![field])),
  });
  /**
   * What the cluster's processes spend with no load (periodic work), as a share of their cost per
   * task: its CPU per second idle over the cluster's rate, against its CPU per task under load.
   */
  const clusterRate = median(runs.cluster.map((run) => run.rate));
  const idleFigure = (name: string, field: keyof Idle): Figure => {
    const underLoad = median(runs.cluster.map((run) => run[field]));
    return {
      figure: `${what}: ${name} CPU per task spent on work it does idle too (cluster)`,
      unit: 'µs',
      value: (still.cluster[field] * 1000) / clusterRate,
      baseline: `the cluster's ${name} CPU per task`,
      baselineValue: underLoad,
      goal: null,
    };
  };
  return [
    figure(`${processName} CPU per task`, 'µs', 'serviceCpu', GOAL),
    figure('Redis CPU per task, every master and replica', 'µs', 'redisCpu', null),
    figure('Redis CPU per task, masters only', 'µs', 'mastersCpu', null),
    figure(`${processName} and Redis CPU per task`, 'µs', 'totalCpu', null),
    figure(`${processName} CPU per task in the kernel`, 'µs', 'serviceSystemCpu', null),
    figure(`${processName} write system calls per task`, 'calls', 'serviceWrites', null),
    figure('tasks/s', '/s', 'rate', null),
    idleFigure(processName, 'serviceCpu'),
    idleFigure('Redis', 'redisCpu'),
  ];
}

/**
 * Pub/sub on the cluster: publishes per change (on the masters, as on the single Redis), and the
 * messages those send between nodes, against what classic PUBLISH sends (one to every other node).
 */
function pubSubFigures(runs: Record<Mode, Run[]>, nodes: number): Figure[] {
  const middle = (mode: Mode, field: 'publishes' | 'busMessages') => median(runs[mode].map((run) => run[field]));
  return [
    {
      figure: 'publishes per change (SPUBLISH on the cluster)',
      unit: 'msgs',
      value: middle('cluster', 'publishes'),
      baseline: 'single Redis (PUBLISH)',
      baselineValue: middle('single', 'publishes'),
      goal: null,
    },
    {
      figure: 'messages between cluster nodes per change',
      unit: 'msgs',
      value: middle('cluster', 'busMessages'),
      baseline: `classic PUBLISH: each publish to the ${nodes - 1} other nodes`,
      baselineValue: PUBLISHES_PER_CHANGE * (nodes - 1),
      goal: null,
    },
  ];
}

export const clusterSuite: Suite = {
  name: 'cluster',
  description:
    'What a Redis Cluster costs per task against a single Redis, in one run; on 2 cores no speed-up can ' +
    'show, so the figures are CPU time per task. The suite starts both itself, fresh, with the same settings ' +
    '(no persistence): a cluster of 3 masters with a replica each on free loopback ports, and one ' +
    'redis-server; the service runs on each in processes of its own, with its default partition count on ' +
    `one Redis (1) and ${CLUSTER_PARTITIONS} partitions on the cluster (its default is ` +
    `${DEFAULT_CLUSTER_PARTITIONS}; BENCH_CLUSTER_PARTITIONS sets another). (a) create: ${CREATES} ` +
    `createSleepTask mutations over HTTP from the create suite's load generator (${CONNECTIONS} connections), no worker; (b) drain: ${DRAINS} calculation tasks ` +
    `enqueued into the paused queues, then drained by one worker process at concurrency ${CONCURRENCY}. Each ` +
    `phase first watches both deployments doing nothing for ${IDLE_SECONDS} s, then runs each once, not ` +
    `counted (${WARMUP_SECONDS} s of creates, ${WARMUP_DRAINS} tasks drained), then ${ROUNDS} rounds of both ` +
    "in turn; values are the medians, ratios the medians of the rounds' own ratios. The goal is on the " +
    "service process's CPU per task (the API's, the worker's): what cluster mode costs the code that runs in " +
    'many copies. Reported: Redis CPU (INFO cpu) summed over every master and replica (a replica applies its ' +
    "master's writes) and over the masters alone; the service process's time in the kernel and its write " +
    'system calls (/proc); what the processes spend with no load (periodic work, such as the cluster ' +
    "client's slot refreshes) per task at the cluster's rate; tasks/s, since the cluster's six servers and " +
    'the service share the same 2 cores. Pub/sub: publishes per change of a task, and the messages they send ' +
    "between nodes (CLUSTER INFO), against classic PUBLISH's one to every other node. Lower is better for CPU " +
    'times.',
  async run(log) {
    const started = await Promise.allSettled([startSingle(), startCluster()]);
    const deployments = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      const [single, cluster] = deployments as [Deployment, Deployment];
      const both = { single, cluster };
      log(
        `cluster: ${CLUSTER_PARTITIONS} partitions, masters on ${cluster.masters.join(', ')}, ${cluster.nodes.length} nodes; ` +
          `single Redis on ${single.nodes[0]}`,
      );
      const creates = await withTargets(both, { apis: 1, workers: 0 }, async (targets) => {
        for (const target of Object.values(targets)) await checkSample(target.service.urls[0]!);
        return rounds(
          'create',
          targets,
          (target) => create(target, { seconds: WARMUP_SECONDS }),
          (target) => create(target, { amount: CREATES }),
          log,
        );
      });
      const drains = await withTargets(
        both,
        { apis: 0, workers: 1, env: { WORKER_CONCURRENCY: String(CONCURRENCY) } },
        async (targets) => {
          await Promise.all(Object.values(targets).map(workerReady));
          return rounds(
            'drain',
            targets,
            (target) => drain(target, WARMUP_DRAINS),
            (target) => drain(target, DRAINS),
            log,
          );
        },
      );
      const pubsub = {
        single: [...creates.runs.single, ...drains.runs.single],
        cluster: [...creates.runs.cluster, ...drains.runs.cluster],
      };
      return [
        ...figures('create', creates),
        ...figures('drain', drains),
        ...pubSubFigures(pubsub, cluster.nodes.length),
      ];
    } finally {
      await Promise.all(deployments.map((deployment) => deployment.stop()));
    }
  },
};
