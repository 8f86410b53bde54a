/**
 * The demo's own stack as a peer of the drain: Celery with the demo's settings, run by
 * bench/peers/celery/celery_drain.py with Debian's python3-celery and python3-redis.
 */
import { join } from 'node:path';
import { projectDir, runProcess } from '../../testbed/processes.js';
import { redisUrl } from './service.js';

export const CELERY_INSTALL = 'apt-get install python3-celery python3-redis';
/** Debian's Python, where apt puts those modules (a python3 earlier on the PATH may be another). */
const PYTHON = '/usr/bin/python3';

/** Whether Python can load Celery and the Redis client here. */
export async function celeryInstalled(): Promise<boolean> {
  const tried = await runProcess(PYTHON, ['-c', 'import celery, redis'], { timeoutMs: 30_000 }).catch(() => null);
  return tried?.code === 0;
}

/**
 * Drains `tasks` calculation tasks (sums) queued while the worker did not consume, with a prefork
 * pool of `processes`: tasks done per second and Redis CPU per task, as the drain suite measures its own.
 */
export async function drainCelery(tasks: number, processes: number): Promise<{ rate: number; redisCpu: number }> {
  // A database of its own on the same Redis: Celery's keys (its queue, results, bindings) have no prefix.
  const url = new URL(redisUrl);
  url.pathname = '/9';
  const { code, stdout, stderr } = await runProcess(PYTHON, ['celery_drain.py', String(tasks), String(processes)], {
    cwd: join(projectDir, 'bench', 'peers', 'celery'),
    // No __pycache__ left in the tree.
    env: { ...process.env, CELERY_DRAIN_REDIS_URL: url.toString(), PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs: 900_000,
  });
  if (code !== 0) throw new Error(`the Celery drain exited with ${code}: ${stderr.slice(-2_000)}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { rate: number; redisCpu: number };
}
