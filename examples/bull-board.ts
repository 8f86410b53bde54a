/**
 * A read-only Bull Board over the service's BullMQ queues, on a port of its own:
 *
 *   REDIS_URL=redis://127.0.0.1:6379 BULL_BOARD_PORT=3000 npx tsx examples/bull-board.ts
 *
 * It reads the same Redis variables as the API and the workers (REDIS_URL or REDIS_CLUSTER_NODES or
 * REDIS_SENTINELS, REDIS_KEY_PREFIX, TASK_PARTITIONS), so it finds the queue of every partition.
 * Read-only on purpose: Bull Board's actions go around the API, its owners and its rate limits
 * (docs/operating.md, "Watching the queues with Bull Board or Taskforce"). Bull Board asks for no login:
 * it listens on 127.0.0.1 unless told otherwise, for a proxy with authentication to stand in front.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { z } from 'zod';
import {
  checkRedisVariables,
  commonConfig,
  commonVariables,
  integer,
  loadConfig,
  type RedisConfig,
} from '../core/config.js';
import { runUntilSignal } from '../core/entry-point.js';
import { QUEUE_NAME } from '../core/keys.js';
import { createLogger, wantsPrettyLogs, type Logger } from '../core/logger.js';
import { createPartitions, type Partition, type Partitions } from '../core/partitions.js';
import { closeRedis, createRedis, waitForRedis, type RedisClient } from '../core/redis.js';

const boardConfigSchema = z
  .object({
    ...commonVariables,
    BULL_BOARD_PORT: integer(1, 65_535, 3000),
    /** No login in Bull Board: only this machine by default. */
    BULL_BOARD_HOST: z.string().min(1).default('127.0.0.1'),
    /** Seconds between the board's refreshes (Bull Board's own default is 5). */
    BULL_BOARD_POLLING_INTERVAL: integer(1, 3_600, 5),
  })
  .superRefine(checkRedisVariables)
  .transform((v) => ({
    ...commonConfig(v),
    board: { port: v.BULL_BOARD_PORT, host: v.BULL_BOARD_HOST, pollingSeconds: v.BULL_BOARD_POLLING_INTERVAL },
  }));

interface BullBoardOptions {
  redis: RedisConfig;
  port: number;
  host: string;
  pollingSeconds: number;
  logger: Logger;
}

/**
 * Each partition's BullMQ queue is named `tasks`, under the partition's key prefix. Bull Board keys
 * its queues by name (its `prefix` option, then the queue's name), so with several partitions each
 * gets the partition's id in front, as its task ids have: `p0:tasks`, `p1:tasks`...
 */
function boardQueue(queue: Queue, { index, keys }: Partition, partitionCount: number): BullMQAdapter {
  const several = partitionCount > 1;
  return new BullMQAdapter(queue, {
    readOnlyMode: true,
    ...(several && { prefix: `p${index}:`, displayName: `${QUEUE_NAME} (partition ${index})` }),
    description: `Redis keys ${keys.prefix}:${QUEUE_NAME}:*${several ? `, task ids p${index}-…` : ''}`,
  });
}

/** Reads the partition count the service recorded (core/partition-count.ts), writing nothing. */
async function checkPartitions(redis: RedisClient, partitions: Partitions): Promise<void> {
  const recorded = await redis.get(partitions.meta.partitionCount);
  if (recorded !== null && Number(recorded) !== partitions.count) {
    throw new Error(
      `the service spreads its tasks over ${recorded} partitions and this board is set for ${partitions.count}: ` +
        `set TASK_PARTITIONS=${recorded}`,
    );
  }
}

async function startBullBoard({ redis: redisConfig, port, host, pollingSeconds, logger }: BullBoardOptions) {
  const redis = createRedis(redisConfig, logger, { name: 'bull-board' });
  const partitions = createPartitions(redisConfig.keyPrefix, redisConfig.partitions);
  // skipMetasUpdate: a Queue otherwise writes its meta hash when it connects; a board writes nothing.
  const queues = partitions.all.map(
    ({ keys }) => new Queue(QUEUE_NAME, { connection: redis, prefix: keys.prefix, skipMetasUpdate: true }),
  );
  const app = Fastify();
  const close = async () => {
    await app.close();
    await Promise.all(queues.map((queue) => queue.close()));
    await closeRedis(redis);
  };
  try {
    await waitForRedis(redis);
    await checkPartitions(redis, partitions);
    const serverAdapter = new FastifyAdapter();
    createBullBoard({
      queues: partitions.all.map((partition, index) => boardQueue(queues[index]!, partition, partitions.count)),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'Task service queues', pollingInterval: { forceInterval: pollingSeconds } } },
    });
    await app.register(serverAdapter.registerPlugin());
    await app.listen({ port, host });
  } catch (error) {
    await close();
    throw error;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, queues: queues.length }, 'Bull Board listening');
  return { url, close };
}

let logger: Logger | undefined;

await runUntilSignal(
  async () => {
    const { redis, log, board } = loadConfig(boardConfigSchema, process.env);
    logger = createLogger({ name: 'bull-board', level: log.level, pretty: wantsPrettyLogs(log.format) });
    const { close } = await startBullBoard({ redis, ...board, logger });
    return { close, stopDeadlineMs: 10_000 };
  },
  { logger: () => logger },
);
