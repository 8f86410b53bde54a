/**
 * `npm run soak`: two API instances and two workers on loopback, many clients creating and watching
 * tasks for a bounded time. Passes when every created task reaches a terminal state, every watcher
 * gets its terminal event, no request fails, nothing stays subscribed in Redis, and the API
 * processes' memory comes back near where it was. SOAK_SECONDS (60) and SOAK_CLIENTS (40) size it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { projectRoot } from '../core/project-root.js';

const root = projectRoot(import.meta.url);
const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const clientCount = Number(process.env.SOAK_CLIENTS ?? 40);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `{soak-${randomUUID()}}`;
const WATCH_TIMEOUT_MS = 30_000;
const say = (line: string) => process.stdout.write(`${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startPart(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      // Every soak client comes from 127.0.0.1: the per-client creation limit would stop the load itself.
      RATE_LIMIT_CREATES: '1000000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Resident memory of a process, in MiB (Linux). */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'))!;
  return Number(/\d+/.exec(line)![0]) / 1024;
}

async function gql(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, { id: string; state: string }> | null; errors?: unknown[] };
}

const CREATE_SLEEP = 'mutation ($d: Int!) { created: createSleepTask(input: { duration: $d }) { id state } }';
const CREATE_CALCULATION =
  'mutation ($n: [Int!]!) { created: createCalculationTask(input: { numbers: $n, operation: PRODUCT }) { id state } }';
const WATCH = 'subscription ($id: ID!) { taskProgress(id: $id) { state current } }';
const GET = 'query ($id: ID!) { task(id: $id) { state } }';
const terminal = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

interface Counts {
  created: number;
  watchedToEnd: number;
  failures: string[];
}

/** Follows one task to its terminal state; answers that state, or throws. */
function watchToEnd(client: Client, id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let last = '';
    const timer = setTimeout(() => reject(new Error(`no terminal event for ${id} within 30 s`)), WATCH_TIMEOUT_MS);
    client.subscribe<{ taskProgress: { state: string } }>(
      { query: WATCH, variables: { id } },
      {
        next: ({ data, errors }) => {
          if (errors) reject(new Error(JSON.stringify(errors)));
          if (data) last = data.taskProgress.state;
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => {
          clearTimeout(timer);
          if (terminal.has(last)) resolve(last);
          else reject(new Error(`subscription of ${id} ended at ${last}`));
        },
      },
    );
  });
}

async function virtualUser(url: string, deadline: number, counts: Counts, ids: string[]) {
  const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: true });
  try {
    while (Date.now() < deadline) {
      const sleepTask = Math.random() < 0.7;
      const answer = sleepTask
        ? await gql(url, CREATE_SLEEP, { d: 1 + Math.floor(Math.random() * 3) })
        : await gql(url, CREATE_CALCULATION, { n: Array.from({ length: 50 }, (_, i) => i + 2) });
      const id = answer.data?.created?.id;
      if (!id) {
        counts.failures.push(`create: ${JSON.stringify(answer.errors)}`);
        continue;
      }
      counts.created++;
      ids.push(id);
      try {
        await watchToEnd(client, id);
        counts.watchedToEnd++;
      } catch (error) {
        counts.failures.push(`watch: ${(error as Error).message}`);
      }
    }
  } finally {
    await client.dispose();
  }
}

async function main(): Promise<number> {
  const ports = [await freePort(), await freePort()];
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const apis = ports.map((port) => startPart('src/main.ts', { PORT: String(port), HOST: '127.0.0.1' }));
  const workers = [1, 2].map((n) =>
    startPart('worker/main.ts', { WORKER_NAME: `soak-${n}`, WORKER_CONCURRENCY: '500' }),
  );
  const redis = new Redis(redisUrl);
  try {
    for (const url of urls) {
      for (
        let tries = 0;
        !(await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ));
        tries++
      ) {
        if (tries > 100) throw new Error(`${url} did not start`);
        await sleep(100);
      }
    }
    // Warm up (JIT, pools), then take the memory baseline.
    await Promise.all(
      urls.map((url) => virtualUser(url, Date.now() + 3_000, { created: 0, watchedToEnd: 0, failures: [] }, [])),
    );
    await sleep(2_000);
    const before = apis.map((api) => rssMiB(api.pid!));

    say(`soak: ${clientCount} clients on 2 API instances and 2 workers for ${seconds} s`);
    const counts: Counts = { created: 0, watchedToEnd: 0, failures: [] };
    const ids: string[] = [];
    const deadline = Date.now() + seconds * 1000;
    let peak = before.map(() => 0);
    const sampler = setInterval(() => (peak = apis.map((api, i) => Math.max(peak[i]!, rssMiB(api.pid!)))), 1_000);
    await Promise.all(Array.from({ length: clientCount }, (_, i) => virtualUser(urls[i % 2]!, deadline, counts, ids)));
    clearInterval(sampler);

    // Every task the clients created ended, as a fresh read says too.
    let unfinished = 0;
    for (const id of ids) {
      const answer = await gql(urls[0]!, GET, { id });
      if (!terminal.has(answer.data?.task?.state ?? '')) unfinished++;
    }
    await sleep(5_000); // let sockets close and the heap settle
    const after = apis.map((api) => rssMiB(api.pid!));
    const subscribed = (await redis.pubsub('CHANNELS', `${prefix}:events:task:*`)) as string[];

    const memoryBack = after.every((mib, i) => mib <= Math.max(before[i]! * 1.5, before[i]! + 50));
    const checks: [string, boolean, string][] = [
      ['tasks created', counts.created > 0, String(counts.created)],
      [
        'watchers that got their terminal event',
        counts.watchedToEnd === counts.created,
        `${counts.watchedToEnd} of ${counts.created}`,
      ],
      ['tasks not in a terminal state afterwards', unfinished === 0, String(unfinished)],
      ['failed requests', counts.failures.length === 0, String(counts.failures.length)],
      ['task channels still subscribed in Redis', subscribed.length === 0, String(subscribed.length)],
      [
        'API memory before / peak / after (MiB)',
        memoryBack,
        before.map((mib, i) => `${mib.toFixed(0)} / ${peak[i]!.toFixed(0)} / ${after[i]!.toFixed(0)}`).join(', '),
      ],
    ];
    for (const [what, ok, value] of checks) say(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${value}`);
    for (const failure of counts.failures.slice(0, 10)) say(`  ${failure}`);
    return checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    for (const part of [...apis, ...workers]) part.kill('SIGTERM');
    await Promise.all([...apis, ...workers].map((part) => new Promise((resolve) => part.once('exit', resolve))));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
}

process.exitCode = await main();
