/**
 * `npm run soak`: two API instances and two workers on loopback, many clients creating and watching
 * tasks for a bounded time. Passes when every created task reaches a terminal state, every watcher
 * gets its terminal event, no request fails, nothing stays subscribed in Redis, and the API
 * processes' memory comes back near where it was. SOAK_SECONDS (60) and SOAK_CLIENTS (40) size it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { redisUrl, startService } from './support/service.js';
import { rssKiB } from './support/usage.js';

const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const clientCount = Number(process.env.SOAK_CLIENTS ?? 40);
const WATCH_TIMEOUT_MS = 30_000;
const say = (line: string) => process.stdout.write(`${line}\n`);

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
  const service = await startService({ apis: 2, workers: 2, env: { WORKER_CONCURRENCY: '500' } });
  const { urls, prefix } = service; // the service's processes lift the per-client creation limit
  const rssMiB = () => service.apiPids.map((pid) => rssKiB(pid) / 1024);
  const redis = new Redis(redisUrl);
  try {
    // Warm up (JIT, pools), then take the memory baseline.
    await Promise.all(
      urls.map((url) => virtualUser(url, Date.now() + 3_000, { created: 0, watchedToEnd: 0, failures: [] }, [])),
    );
    await sleep(2_000);
    const before = rssMiB();

    say(`soak: ${clientCount} clients on 2 API instances and 2 workers for ${seconds} s`);
    const counts: Counts = { created: 0, watchedToEnd: 0, failures: [] };
    const ids: string[] = [];
    const deadline = Date.now() + seconds * 1000;
    let peak = before.map(() => 0);
    const sampler = setInterval(() => (peak = rssMiB().map((mib, i) => Math.max(peak[i]!, mib))), 1_000);
    await Promise.all(Array.from({ length: clientCount }, (_, i) => virtualUser(urls[i % 2]!, deadline, counts, ids)));
    clearInterval(sampler);

    // Every task the clients created ended, as a fresh read says too.
    let unfinished = 0;
    for (const id of ids) {
      const answer = await gql(urls[0]!, GET, { id });
      if (!terminal.has(answer.data?.task?.state ?? '')) unfinished++;
    }
    await sleep(5_000); // let sockets close and the heap settle
    const after = rssMiB();
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
    await redis.quit();
    await service.stop();
  }
}

process.exitCode = await main();
