import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { projectRoot } from '../../core/project-root.js';
import { freePort } from '../../testbed/ports.js';

export { freePort };

export const root = projectRoot(import.meta.url);
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

/**
 * With BENCH_PROFILE_DIR set, every process the benchmarks start writes a V8 CPU profile there when
 * it exits (open it in Chrome DevTools, or summarise it with `npm run profile-summary -- FILE`).
 */
export function profileArgs(): string[] {
  const profileDir = process.env.BENCH_PROFILE_DIR;
  return profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
}

/** Node's arguments for running a TypeScript file of the project (profiled on request). */
export function nodeArgs(entry: string): string[] {
  return [...profileArgs(), '--import', 'tsx', entry];
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
): ChildProcess {
  const inspect = inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [];
  const child = spawn(process.execPath, [...inspect, ...nodeArgs(entry)], {
    cwd: root,
    env: {
      ...process.env,
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
    stdio: ['ignore', 'ignore', inspectPort ? 'pipe' : 'inherit'],
  });
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (!INSPECTOR_NOTICE.test(line)) process.stderr.write(`${line}\n`);
    });
  }
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
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
    apiPids: apiProcesses.map((child) => child.pid!),
    workerPids: workerProcesses.map((child) => child.pid!),
    async stop() {
      await Promise.all(children.map(stopProcess));
      if (deleteKeys) await clean(prefix);
    },
  };
}
