import type { Logger } from '../core/logger.js';
import type { Keys } from '../core/keys.js';
import type { RedisClient } from '../core/redis.js';
import { createWorkerRegistry } from '../core/worker-registry.js';

const HEARTBEAT_EVERY_MS = 5_000;
const ACTIVE_COUNT_WRITE_DELAY_MS = 250; // coalesces the record writes of many tasks starting at once

/** This worker's record in the registry (core/worker-registry.ts), which the `workers` query lists. */
export interface WorkerRecord {
  /** Written at once, then every few seconds while it lives. */
  start(): Promise<void>;
  /** A run started (1) or ended (-1): the record's count of active tasks follows shortly. */
  activeChanged(delta: 1 | -1): void;
  /** Stops writing it and removes it. */
  remove(): Promise<void>;
}

export interface WorkerRecordOptions {
  commands: RedisClient;
  keys: Keys;
  name: string;
  concurrency: number;
  taskNames: string[];
  logger: Logger;
}

export function createWorkerRecord({
  commands,
  keys,
  name,
  concurrency,
  taskNames,
  logger,
}: WorkerRecordOptions): WorkerRecord {
  const registry = createWorkerRegistry(commands, keys);
  const startedAt = new Date();
  let activeTasks = 0;
  let heartbeat: NodeJS.Timeout | null = null;
  let countTimer: NodeJS.Timeout | null = null;
  const write = () =>
    registry
      .write({ name, concurrency, startedAt, taskNames, activeTasks })
      .catch((error: Error) => logger.debug({ err: error.message }, 'could not write the worker record'));

  return {
    async start() {
      heartbeat ??= setInterval(() => void write(), HEARTBEAT_EVERY_MS);
      await write();
    },
    activeChanged(delta) {
      activeTasks += delta;
      countTimer ??= setTimeout(() => {
        countTimer = null;
        void write();
      }, ACTIVE_COUNT_WRITE_DELAY_MS);
    },
    async remove() {
      if (heartbeat) clearInterval(heartbeat);
      if (countTimer) clearTimeout(countTimer);
      heartbeat = countTimer = null;
      await registry.removeWorker(name);
    },
  };
}
