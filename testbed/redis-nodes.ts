import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneTryRedis } from '../core/redis.js';
import { startProcess, type ProcessOptions, type RunningProcess } from './processes.js';
import { waitFor } from './wait.js';

/**
 * The pieces a test's own Redis deployments (a cluster, Sentinel) are made of: a temp dir,
 * one redis-server process started and stopped, one command asked of one node.
 */

/** Every option a test's node runs with: loopback only, no persistence, replicas in sync at once. */
export function baseNodeArgs(port: number, dir: string): string[] {
  return [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--logfile', logFile(dir, port)],
    ...['--appendonly', 'no', '--save', ''],
    // Diskless sync waits 5 s by default for more replicas to share one transfer: a test has one.
    ...['--repl-diskless-sync-delay', '0'],
  ];
}

export function logFile(dir: string, port: number): string {
  return join(dir, `redis-${port}.log`);
}

export function tempDir(name: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `task-service-${name}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** One command on the node at `port`, over a connection of its own that never retries. */
export async function ask(port: number, command: string, ...args: (string | number)[]): Promise<unknown> {
  const redis = oneTryRedis(`redis://127.0.0.1:${port}`);
  try {
    await redis.connect();
    return await redis.call(command, ...args);
  } finally {
    redis.disconnect();
  }
}

/** The `field:value` lines of an answer such as INFO's or CLUSTER INFO's, as a map. */
export async function fieldsOf(port: number, command: string, ...args: string[]): Promise<Map<string, string>> {
  const fields = new Map<string, string>();
  for (const line of String(await ask(port, command, ...args)).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/**
 * Waits until every replica of the master at `port` has all it had written when asked: what a
 * replica has not received, a failover loses. (WAIT on a connection of its own would not do: it
 * waits for that connection's own writes, and a new connection has made none.)
 */
export async function replicasInStep(port: number, timeoutMs = 10_000): Promise<void> {
  const written = Number((await fieldsOf(port, 'INFO', 'replication')).get('master_repl_offset'));
  await waitFor(
    async () => {
      const replicas = [...(await fieldsOf(port, 'INFO', 'replication'))].filter(([key]) => /^slave\d+$/.test(key));
      const offsets = replicas.map(([, value]) => Number(/offset=(\d+)/.exec(value)?.[1] ?? -1));
      return offsets.length > 0 && offsets.every((offset) => offset >= written);
    },
    { what: `the replicas of the master on port ${port} in step with it`, timeoutMs, everyMs: 20 },
  );
}

/** ROLE's first word: master, slave or sentinel; and for a replica whether its link is up. */
export async function role(port: number): Promise<{ role: string; masterPort?: number; linked?: boolean }> {
  const answer = (await ask(port, 'ROLE')) as unknown[];
  if (answer[0] !== 'slave') return { role: String(answer[0]) };
  return { role: 'slave', masterPort: Number(answer[2]), linked: answer[3] === 'connected' };
}

/** A redis-server (or sentinel) process, started by `start` and again by each `start` after a stop. */
export interface NodeProcess {
  port: number;
  running(): boolean;
  start(): Promise<void>;
  /** SIGKILL by default: nodes of a test keep nothing worth a clean shutdown. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function nodeProcess(
  port: number,
  dir: string,
  args: string[],
  { stderr = 'ignore' }: Pick<ProcessOptions, 'stderr'> = {},
): NodeProcess {
  let server: RunningProcess | null = null;
  const running = () => server !== null && server.running();
  return {
    port,
    running,
    async start() {
      if (running()) return;
      const starting = startProcess('redis-server', args, { stdout: 'ignore', stderr });
      server = starting;
      const state = await waitFor(
        async () => (starting.running() ? (await ask(port, 'PING')) === 'PONG' && 'answers' : 'exited'),
        { what: `redis-server on port ${port}` },
      );
      if (state === 'exited') {
        await starting.exited;
        const failed = starting.error(); // redis-server not on the PATH, say
        if (failed) throw failed;
        const log = existsSync(logFile(dir, port)) ? readFileSync(logFile(dir, port), 'utf8').slice(-2_000) : '';
        throw new Error(`redis-server on port ${port} exited at start:\n${log}`);
      }
    },
    async stop(signal = 'SIGKILL') {
      await server?.stop(signal);
    },
  };
}
