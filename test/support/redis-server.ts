import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAnswers } from '../../core/redis.js';
import { freePort } from './processes.js';
import { waitFor } from './wait.js';

/** A redis-server of the test's own, with append-only persistence, that it may stop and start again. */
export interface OwnRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and deletes its data. */
  remove(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'task-service-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let server: ChildProcess | null = null;

  const own: OwnRedis = {
    url,
    async start() {
      server = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
        ],
        { stdio: 'ignore' },
      );
      await waitFor(() => redisAnswers(url), { what: `redis-server on port ${port}` });
    },
    async stop() {
      const stopping = server;
      if (!stopping || stopping.exitCode !== null) return;
      const exited = new Promise((resolve) => stopping.once('exit', resolve));
      stopping.kill('SIGTERM'); // Redis flushes the append-only file and exits
      await exited;
      server = null;
    },
    async remove() {
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await own.start();
  return own;
}
