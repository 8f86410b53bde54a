/**
 * `npm start`: the API and one worker in one command. When nothing answers at REDIS_URL and it
 * names this machine, starts `redis-server` for the project (data under .data/, stopped with the
 * app); when there is no redis-server either, says how to get one. Builds the browser bundle when
 * it is missing or stale. Ctrl-C stops everything.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../core/config.js';
import { projectRoot } from '../core/project-root.js';
import { redisAnswers } from '../core/redis.js';
import { isInstalled, startEntryPoint, type RunningProcess } from '../testbed/processes.js';
import { startRedisServer, type RedisServer } from '../testbed/redis-server.js';
import { buildClient, clientBuildIsStale } from './client-build.js';
import { startConfigSchema } from './start-config.js';

const root = projectRoot(import.meta.url);
const say = (line: string) => process.stderr.write(`[start] ${line}\n`);

function isLocal(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname);
}

const howToGetRedis = (
  url: string,
) => `Nothing answers at ${url} and redis-server is not installed. Get Redis 7 or newer:
  Debian/Ubuntu:  sudo apt-get install redis-server
  macOS:          brew install redis
  Docker:         docker compose up -d redis, then REDIS_URL=redis://127.0.0.1:6380
or set REDIS_URL to a Redis you have, then run npm start again.`;

async function startRedis(url: URL): Promise<RedisServer> {
  const port = Number(url.port || '6379');
  const dir = join(root, '.data', `redis-${port}`);
  mkdirSync(dir, { recursive: true });
  say(`nothing answers at ${url.href}: starting redis-server on port ${port} (data in ${dir})`);
  return startRedisServer({ port, dir, stderr: 'inherit' });
}

/** The API or the worker, in this process's group: a terminal's Ctrl-C and hang-up reach it too. */
function startPart(entry: string): RunningProcess {
  return startEntryPoint(entry, [], { stdout: 'inherit', stderr: 'inherit' });
}

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(startConfigSchema, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      say(error.message);
      return 1;
    }
    throw error;
  }
  const url = new URL(config.REDIS_URL);
  let redis: RedisServer | null = null;
  const elsewhere = config.REDIS_CLUSTER_NODES ?? config.REDIS_SENTINELS;
  if (!elsewhere && !(await redisAnswers(url.href))) {
    if (!isLocal(url) || config.START_REDIS === 'never') {
      say(`nothing answers at ${url.href}; start that Redis or set REDIS_URL`);
      return 1;
    }
    if (!(await isInstalled('redis-server'))) {
      say(howToGetRedis(url.href));
      return 1;
    }
    redis = await startRedis(url);
  }

  if (clientBuildIsStale(root)) {
    say('building the dashboard and the playground (client/dist)');
    await buildClient(root);
  }

  const parts = [startPart('src/main.ts'), startPart('worker/main.ts')];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return code;
    stopping = true;
    for (const part of parts) part.kill('SIGTERM');
    const codes = await Promise.all(parts.map((part) => part.exited));
    await redis?.close();
    return codes.every((c) => c === 0) ? code : 1;
  };
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0).then(resolve));
    for (const part of parts) {
      void part.exited.then((code) => {
        if (stopping) return;
        say(`a part stopped (exit code ${code ?? 1}): stopping the rest`);
        void stop(1).then(() => resolve(1));
      });
    }
  });
}

process.exitCode = await main();
