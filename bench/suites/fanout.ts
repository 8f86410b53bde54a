/**
 * Memory per live subscription on one API process: N sockets, each with one taskProgress
 * subscription to one of 1,000 tasks, opened from a separate load process on loopback; then every
 * task is stepped once (core/task-store.ts, as a worker does) and every event must arrive. Memory
 * is the server's RSS (/proc/<pid>/status VmRSS) with the sockets open minus before, over N.
 * Baseline: a bare `ws` server process (bench/peers/bare-ws.ts) holding the same N sockets.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { createKeys } from '../../core/keys.js';
import { createTaskStore } from '../../core/task-store.js';
import type { LoadCommand, LoadReport } from '../peers/load-protocol.js';
import { startPeer, type Peer } from '../peers/peer.js';
import {
  benchPrefix,
  clean,
  freePort,
  redisUrl,
  rssKiB,
  startProcess,
  stopProcess,
  waitReady,
} from '../support/service.js';
import { median, type Figure, type Suite } from '../support/suite.js';
import { createTasks } from './latency.js';

const TASKS = 1_000;
const SIZES: { sockets: number; goal: string | null }[] = [
  { sockets: 10_000, goal: '<= 2.5' },
  { sockets: 20_000, goal: null },
];
/** Descriptors a process needs beside its sockets (Redis, stdio, the listener, node's own). */
const FD_MARGIN = 500;
const WARMUP_SOCKETS = 100;
/** Skip the next size when the suite has already taken this long. */
const TIME_BUDGET_MS = 6 * 60_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS after it has settled: the median of five reads 400 ms apart. */
async function settledRss(pid: number): Promise<number> {
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
function ensureOpenFiles(pid: number, needed: number): void {
  if (openFilesLimit(pid) >= needed) return;
  try {
    execFileSync('prlimit', [`--pid=${pid}`, `--nofile=${needed}:${needed}`], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `a process needs ${needed} open files (sockets + ${FD_MARGIN}), its limit is ${openFilesLimit(pid)} and prlimit may not raise it here (no CAP_SYS_RESOURCE)`,
    );
  }
  if (openFilesLimit(pid) < needed) throw new Error(`could not raise the open files limit of ${pid} to ${needed}`);
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

async function openLoad(
  url: string,
  mode: 'graphql' | 'bare',
  sockets: number,
  taskIds: string[],
): Promise<{ peer: Peer<LoadCommand, LoadReport>; opened: Extract<LoadReport, { type: 'opened' }> }> {
  const peer = startPeer<LoadCommand, LoadReport>('ws-load.ts');
  ensureOpenFiles(pidOf(peer.child), sockets + FD_MARGIN);
  peer.send({ type: 'open', url, mode, sockets, perSocket: 1, taskIds, concurrency: 50, timeoutMs: 180_000 });
  const opened = await peer.next('opened', 200_000);
  if (opened.failed) {
    await peer.stop();
    throw new Error(`${mode}: ${opened.failed} of ${sockets} sockets failed to open`);
  }
  return { peer, opened };
}

async function closeLoad(peer: Peer<LoadCommand, LoadReport>): Promise<void> {
  peer.send({ type: 'close' });
  await peer.next('closed', 30_000).catch(() => undefined);
  await peer.stop();
}

async function measure(mode: 'graphql' | 'bare', sockets: number, log: (line: string) => void): Promise<Run> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prefix = benchPrefix();
  const env = { PORT: String(port), HOST: '127.0.0.1', REDIS_KEY_PREFIX: prefix };
  const server = startProcess(mode === 'graphql' ? 'src/main.ts' : 'bench/peers/bare-ws.ts', env);
  const redis = new Redis(redisUrl);
  const peers: Peer<LoadCommand, LoadReport>[] = [];
  try {
    const pid = pidOf(server);
    ensureOpenFiles(pid, sockets + FD_MARGIN);
    await waitReady(url);
    let taskIds: string[] = ['none'];
    const store = createTaskStore(redis, createKeys(prefix));
    const runId = randomUUID();
    if (mode === 'graphql') {
      taskIds = await createTasks(url, TASKS);
      // Started before the sockets open: the one step afterwards is then exactly one event each.
      for (const id of taskIds) await store.start(id, runId, 'bench');
    }
    // Warm the server's code paths up with a few sockets, closed again, before the first read.
    const warm = await openLoad(url, mode, WARMUP_SOCKETS, taskIds);
    await closeLoad(warm.peer);
    const before = await settledRss(pid);

    const { peer, opened } = await openLoad(url, mode, sockets, taskIds);
    peers.push(peer);
    const after = await settledRss(pid);
    let afterEvents: number | null = null;
    let received: number | null = null;
    if (mode === 'graphql') {
      for (const id of taskIds) await store.progress(id, runId, { current: 1, total: 300 });
      peer.send({ type: 'expect', current: 1, expected: sockets, timeoutMs: 60_000 });
      received = (await peer.next('delivered', 70_000)).received;
      afterEvents = await settledRss(pid);
    }
    const perSocketKiB = (after - before) / sockets;
    log(
      `${mode} N=${sockets}: opened in ${(opened.ms / 1000).toFixed(1)} s; RSS ${(before / 1024).toFixed(0)} → ${(after / 1024).toFixed(0)} MiB` +
        (afterEvents === null ? '' : ` (${(afterEvents / 1024).toFixed(0)} MiB after the events)`) +
        `; ${perSocketKiB.toFixed(2)} KiB per socket` +
        (received === null ? '' : `; events ${received} of ${sockets} (${sockets - received} lost)`),
    );
    return { perSocketKiB, before, after, afterEvents, received, openMs: opened.ms };
  } finally {
    await Promise.all(peers.map(closeLoad));
    await stopProcess(server);
    redis.disconnect();
    await clean(prefix);
  }
}

export const fanoutSuite: Suite = {
  name: 'fanout',
  description:
    'Server RSS growth per live WebSocket: one API process with N sockets, each with one taskProgress subscription to one of 1,000 tasks (opened from a separate load process on loopback), then every task stepped once and every event counted; baseline: a bare ws server process holding the same N sockets. Open files: ulimit -n is raised per process with prlimit where needed.',
  async run(log) {
    const started = Date.now();
    const figures: Figure[] = [];
    log(`open files limit here: ${openFilesLimit('self')}`);
    for (const { sockets, goal } of SIZES) {
      if (Date.now() - started > TIME_BUDGET_MS) {
        log(`N=${sockets} skipped: the suite has taken over ${TIME_BUDGET_MS / 60_000} min`);
        continue;
      }
      let api: Run;
      let bare: Run;
      try {
        api = await measure('graphql', sockets, log);
        bare = await measure('bare', sockets, log);
      } catch (error) {
        log(`N=${sockets} not measured: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const lost = sockets - (api.received ?? 0);
      figures.push({
        figure: `RSS per live subscription, N=${sockets.toLocaleString('en')} (${lost} events lost)`,
        unit: 'KiB',
        value: api.perSocketKiB,
        baseline: 'bare ws server, same sockets',
        baselineValue: bare.perSocketKiB,
        goal,
      });
    }
    log(`suite took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return figures;
  },
};
