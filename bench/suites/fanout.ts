/**
 * Memory per live subscription on one API process: N sockets, each with one taskProgress
 * subscription to one of 1,000 tasks, opened from a separate load process on loopback; then every
 * task is stepped once (core/task-store.ts, as a worker does) and every event must arrive. Memory
 * is the server's RSS (/proc/<pid>/status VmRSS) after a full garbage collection, with the sockets
 * open minus before, over N.
 * Baseline: a bare `ws` server process (bench/peers/bare-ws.ts) holding the same N sockets; for
 * reference, graphql-ws alone (bench/peers/graphql-ws-floor.ts) with the same subscriptions.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { createPartitions } from '../../core/partitions.js';
import sleepTask from '../../tasks/sleep.js';
import { createTaskStore } from '../../core/task-store.js';
import { runProcess } from '../../testbed/processes.js';
import type { LoadCommand, LoadReport } from '../peers/load-protocol.js';
import { startPeer, type Peer } from '../peers/peer.js';
import { benchPrefix, clean, freePort, redisUrl, startProcess, stopProcess, waitReady } from '../support/service.js';
import { collectGarbage } from '../support/collect-garbage.js';
import { median, type Figure, type Suite } from '../support/suite.js';
import { rssKiB } from '../support/usage.js';
import { createTasks } from './latency.js';

const TASKS = 1_000;
const SIZES: { sockets: number; goal: string | null }[] = [
  { sockets: 10_000, goal: '<= 3' },
  { sockets: 20_000, goal: '<= 3' },
];
/** Descriptors a server needs beside its sockets (Redis, stdio, the listener, node's own: about 30). */
const SERVER_FD_MARGIN = 100;
/** The same for a load process; each opens at most its open-files limit less this. */
const PEER_FD_MARGIN = 500;
const WARMUP_SOCKETS = 100;
/** Skip the next size when the suite has already taken this long. */
const TIME_BUDGET_MS = 6 * 60_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * RSS after a full garbage collection (through the process's inspector) and once it has settled:
 * the median of five reads 400 ms apart. Without the collection, whatever garbage the last
 * seconds left (the handshakes, the events) swings the figure by a few KiB per socket.
 */
async function settledRss(pid: number, inspectPort: number): Promise<number> {
  await collectGarbage(inspectPort);
  const reads: number[] = [];
  for (let i = 0; i < 5; i++) {
    await pause(400);
    reads.push(rssKiB(pid));
  }
  return median(reads);
}

function openFilesLimit(pid: number | 'self'): number {
  const match = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** Makes room for `needed` descriptors in a running process (prlimit; needs CAP_SYS_RESOURCE above the hard limit). */
async function ensureOpenFiles(pid: number, needed: number): Promise<void> {
  if (openFilesLimit(pid) >= needed) return;
  const raised = await runProcess('prlimit', [`--pid=${pid}`, `--nofile=${needed}:${needed}`]).then(
    ({ code }) => code === 0,
    () => false,
  );
  if (!raised) {
    throw new Error(
      `a process needs ${needed} open files, its limit is ${openFilesLimit(pid)} and prlimit may not raise it here (no CAP_SYS_RESOURCE)`,
    );
  }
  if (openFilesLimit(pid) < needed) throw new Error(`could not raise the open files limit of ${pid} to ${needed}`);
}

/**
 * The most sockets one server process can hold here, up to `wanted`: all of them where the
 * open-files limit is (or can be raised) high enough, else what the hard limit leaves.
 */
async function socketsOneProcessHolds(wanted: number): Promise<number> {
  try {
    await ensureOpenFiles(process.pid, wanted + SERVER_FD_MARGIN);
    return wanted;
  } catch {
    return Math.min(wanted, openFilesLimit('self') - SERVER_FD_MARGIN);
  }
}

function pidOf(child: ChildProcess): number {
  if (!child.pid) throw new Error('process did not start');
  return child.pid;
}

interface Run {
  perSocketKiB: number;
  before: number;
  after: number;
  afterEvents: number | null;
  received: number | null;
  openMs: number;
}

interface Load {
  peers: { peer: Peer<LoadCommand, LoadReport>; sockets: number }[];
  /** How long the slowest load process took to open its sockets. */
  openMs: number;
}

/** Opens the sockets from as many load processes as their open-files limits need, in parallel. */
async function openLoad(url: string, mode: 'graphql' | 'bare', sockets: number, taskIds: string[]): Promise<Load> {
  const perPeer = openFilesLimit('self') - PEER_FD_MARGIN;
  const shares = Array.from({ length: Math.ceil(sockets / perPeer) }, (_, i) =>
    Math.min(perPeer, sockets - i * perPeer),
  );
  const peers = shares.map((share) => ({ peer: startPeer<LoadCommand, LoadReport>('ws-load.ts'), sockets: share }));
  try {
    const opened = await Promise.all(
      peers.map(async ({ peer, sockets: share }) => {
        await ensureOpenFiles(pidOf(peer.child), share + PEER_FD_MARGIN);
        peer.send({
          type: 'open',
          url,
          mode,
          sockets: share,
          perSocket: 1,
          taskIds,
          concurrency: 50,
          timeoutMs: 180_000,
        });
        return peer.next('opened', 200_000);
      }),
    );
    const failed = opened.reduce((sum, report) => sum + report.failed, 0);
    if (failed) throw new Error(`${mode}: ${failed} of ${sockets} sockets failed to open`);
    return { peers, openMs: Math.max(...opened.map((report) => report.ms)) };
  } catch (error) {
    await Promise.all(peers.map(({ peer }) => peer.stop()));
    throw error;
  }
}

async function closeLoad(load: Load): Promise<void> {
  await Promise.all(
    load.peers.map(async ({ peer }) => {
      peer.send({ type: 'close' });
      await peer.next('closed', 30_000).catch(() => undefined);
      await peer.stop();
    }),
  );
}

/** The service's API; graphql-ws alone with a subscription that does nothing; a bare ws server. */
type Server = 'service' | 'graphql-ws' | 'bare';
const entries: Record<Server, string> = {
  service: 'src/main.ts',
  'graphql-ws': 'bench/peers/graphql-ws-floor.ts',
  bare: 'bench/peers/bare-ws.ts',
};

async function measure(server: Server, sockets: number, log: (line: string) => void): Promise<Run> {
  const mode = server === 'bare' ? 'bare' : 'graphql';
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prefix = benchPrefix();
  const env = { PORT: String(port), HOST: '127.0.0.1', REDIS_KEY_PREFIX: prefix };
  const inspectPort = await freePort();
  const child = startProcess(entries[server], env, { inspectPort });
  const redis = new Redis(redisUrl);
  const loads: Load[] = [];
  try {
    const pid = pidOf(child.child);
    await ensureOpenFiles(pid, sockets + SERVER_FD_MARGIN);
    await waitReady(url);
    let taskIds = Array.from({ length: TASKS }, (_, i) => `task-${i}`);
    const store = createTaskStore(redis, createPartitions(prefix, 1));
    const runId = randomUUID();
    if (server === 'service') {
      taskIds = await createTasks(url, TASKS);
      // Started before the sockets open: the one step afterwards is then exactly one event each.
      for (const id of taskIds) await store.start({ id, name: sleepTask.name }, runId, 'bench', { attemptsMade: 0 });
    }
    // Warm the server's code paths up with a few sockets, closed again, before the first read.
    await closeLoad(await openLoad(url, mode, WARMUP_SOCKETS, taskIds));
    const before = await settledRss(pid, inspectPort);

    const load = await openLoad(url, mode, sockets, taskIds);
    loads.push(load);
    const after = await settledRss(pid, inspectPort);
    let afterEvents: number | null = null;
    let received: number | null = null;
    if (server === 'service') {
      for (const id of taskIds) await store.progress({ id, name: sleepTask.name }, runId, { current: 1, total: 300 });
      const delivered = await Promise.all(
        load.peers.map(({ peer, sockets: share }) => {
          peer.send({ type: 'expect', current: 1, expected: share, timeoutMs: 60_000 });
          return peer.next('delivered', 70_000);
        }),
      );
      received = delivered.reduce((sum, report) => sum + report.received, 0);
      afterEvents = await settledRss(pid, inspectPort);
    }
    const perSocketKiB = (after - before) / sockets;
    log(
      `${server} N=${sockets}: opened in ${(load.openMs / 1000).toFixed(1)} s by ${load.peers.length} load process(es); RSS ${(before / 1024).toFixed(0)} → ${(after / 1024).toFixed(0)} MiB` +
        (afterEvents === null ? '' : ` (${(afterEvents / 1024).toFixed(0)} MiB after the events)`) +
        `; ${perSocketKiB.toFixed(2)} KiB per socket` +
        (received === null ? '' : `; events ${received} of ${sockets} (${sockets - received} lost)`),
    );
    return { perSocketKiB, before, after, afterEvents, received, openMs: load.openMs };
  } finally {
    await Promise.all(loads.map(closeLoad));
    await stopProcess(child);
    redis.disconnect();
    await clean(prefix);
  }
}

export const fanoutSuite: Suite = {
  name: 'fanout',
  description:
    'Server RSS growth per live WebSocket: one API process with N sockets, each with one taskProgress subscription to one of 1,000 tasks (opened from a separate load process on loopback), then every task stepped once and every event counted; baseline: a bare ws server process holding the same N sockets; for reference, graphql-ws (its useServer) holding the same subscriptions, each sending one value and then doing nothing. Open files: raised per process with prlimit where needed; where the hard limit stops a server process short of N, the most it can hold is measured instead, and the load comes from as many processes as their limits need.',
  async run(log) {
    const started = Date.now();
    const figures: Figure[] = [];
    log(`open files limit here: ${openFilesLimit('self')}`);
    for (const { sockets: wanted, goal } of SIZES) {
      if (Date.now() - started > TIME_BUDGET_MS) {
        log(`N=${wanted} skipped: the suite has taken over ${TIME_BUDGET_MS / 60_000} min`);
        continue;
      }
      const sockets = await socketsOneProcessHolds(wanted);
      if (sockets < wanted) {
        log(
          `N=${wanted} needs ${wanted + SERVER_FD_MARGIN} open files in the server process; the hard limit here is ` +
            `${openFilesLimit('self')} and cannot be raised: measured at N=${sockets}, the most one process holds here`,
        );
      }
      let api: Run;
      let bare: Run;
      let floor: Run;
      try {
        api = await measure('service', sockets, log);
        bare = await measure('bare', sockets, log);
        floor = await measure('graphql-ws', sockets, log);
      } catch (error) {
        log(`N=${sockets} not measured: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const lost = sockets - (api.received ?? 0);
      const figure = `RSS per live subscription, N=${sockets.toLocaleString('en')} (${lost} events lost)`;
      figures.push(
        {
          figure,
          unit: 'KiB',
          value: api.perSocketKiB,
          baseline: 'bare ws server, same sockets',
          baselineValue: bare.perSocketKiB,
          goal,
        },
        {
          figure,
          unit: 'KiB',
          value: api.perSocketKiB,
          baseline: 'graphql-ws alone, a subscription doing nothing',
          baselineValue: floor.perSocketKiB,
          goal: null,
        },
      );
    }
    log(`suite took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return figures;
  },
};
