import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from '../../testbed/ports.js';
import { projectDir, startEntryPoint, type RunningProcess } from '../../testbed/processes.js';

export { freePort };

export const root = projectDir;
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A key prefix of the benchmark's own on the shared Redis, deleted by `clean`: unique, and as short
 * as the service's own default (`{tasks}`), since every script call sends its keys by name.
 */
export function benchPrefix(): string {
  return `{b${randomUUID().slice(0, 6)}}`;
}

export async function clean(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

/** What Node prints on stderr about its inspector: noise between a suite's lines. */
const INSPECTOR_NOTICE = /^(Debugger (listening on|attached|ending on)|For help, see: )/;

/**
 * Starts a TypeScript entry point of the project in a process of its own, as deployed; with
 * `inspectPort`, its inspector listens there (see collect-garbage.ts).
 */
export function startProcess(
  entry: string,
  env: Record<string, string>,
  { inspectPort }: { inspectPort?: number } = {},
): RunningProcess {
  return startEntryPoint(entry, [], {
    nodeOptions: inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      REDIS_URL: redisUrl,
      // Load generators all come from 127.0.0.1: the per-client limits would measure themselves.
      RATE_LIMIT_CREATES: '1000000',
      READ_BUDGET: '1000000000',
      // Suites queue tens of thousands of tasks that no worker takes.
      MAX_WAITING_PER_OWNER: '10000000',
      MAX_SOCKETS_PER_CLIENT: '1000000',
      MAX_SUBSCRIPTIONS_PER_CLIENT: '10000000',
      ...env,
    },
    stdout: 'ignore',
    stderr: inspectPort
      ? (line) => {
          if (!INSPECTOR_NOTICE.test(line)) process.stderr.write(`${line}\n`);
        }
      : 'inherit',
  });
}

/** SIGTERM, and SIGKILL if it still runs 20 s later. */
export function stopProcess(running: RunningProcess): Promise<void> {
  return running.stop('SIGTERM', 20_000);
}

export async function waitReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`${url} did not get ready`);
    await sleep(100);
  }
}

export interface RunningService {
  prefix: string;
  urls: string[];
  /** The API processes' ids, in the order of `urls`, to read their memory. */
  apiPids: number[];
  /** The worker processes' ids, to read their CPU time. */
  workerPids: number[];
  stop(): Promise<void>;
}

export interface ServiceOptions {
  apis?: number;
  workers?: number;
  /** More environment: another Redis (REDIS_URL, REDIS_CLUSTER_NODES), the worker's concurrency. */
  env?: Record<string, string>;
  /**
   * Whether stop() deletes the prefix's keys from the shared Redis (REDIS_URL); a suite that runs the
   * service on a Redis of its own, removed afterwards, has nothing to delete there.
   */
  deleteKeys?: boolean;
}

/** API instances and workers of the service, in processes of their own, under a fresh prefix. */
export async function startService({
  apis = 1,
  workers = 0,
  env = {},
  deleteKeys = true,
}: ServiceOptions = {}): Promise<RunningService> {
  const prefix = benchPrefix();
  const ports = await Promise.all(Array.from({ length: apis }, freePort));
  const apiProcesses = ports.map((port) =>
    startProcess('src/main.ts', { ...env, REDIS_KEY_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1' }),
  );
  const workerProcesses = Array.from({ length: workers }, (_, i) =>
    startProcess('worker/main.ts', { ...env, REDIS_KEY_PREFIX: prefix, WORKER_NAME: `bench-${i + 1}` }),
  );
  const children = [...apiProcesses, ...workerProcesses];
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  try {
    await Promise.all(urls.map((url) => waitReady(url)));
  } catch (error) {
    await Promise.all(children.map(stopProcess));
    throw error;
  }
  return {
    prefix,
    urls,
    apiPids: apiProcesses.map(({ child }) => child.pid!),
    workerPids: workerProcesses.map(({ child }) => child.pid!),
    async stop() {
      await Promise.all(children.map(stopProcess));
      if (deleteKeys) await clean(prefix);
    },
  };
}
