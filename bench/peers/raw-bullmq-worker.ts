/**
 * The drain baselines: a BullMQ worker with the service's queue options and concurrency that
 * - `nothing`: does nothing with its jobs;
 * - `round-trip`: makes one Redis call per job that does nothing (an empty script), the least any
 *   worker that records its tasks in Redis must do;
 * - `records`: computes the calculation and records it with the service's own start-and-finish
 *   script, with no other code of the service around it: the same Redis work per task as the
 *   service, for jobs enqueued with their task records.
 * - `records-and-log`: the same, and first the log line the service's calculation writes, with the
 *   service's own append-log script, not awaited, as the service's worker writes it.
 * Usage: raw-bullmq-worker.ts <redis url> <prefix> <concurrency> <nothing | round-trip | records | records-and-log>.
 */
import { randomUUID } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME } from '../../core/keys.js';
import { createPartitions } from '../../core/partitions.js';
import { defineLuaCommand } from '../../core/redis-scripts.js';
import type { InputOf } from '../../core/task-definition.js';
import { createTaskStore } from '../../core/task-store.js';
import calculationTask, { calculate } from '../../tasks/calculation.js';

type CalculationTaskInput = InputOf<typeof calculationTask>;

const [url, prefix, concurrency, mode] = process.argv.slice(2);
const connection = new Redis(url!, { maxRetriesPerRequest: null });
// As the service's worker does: the record scripts on a connection of their own, auto-pipelined.
const commands = new Redis(url!, { enableAutoPipelining: true });
const store = createTaskStore(commands, createPartitions(prefix!, 1));

/** As the service's worker: the run recorded, the result kept as the job's return value. */
async function record(job: Job<CalculationTaskInput>): Promise<unknown> {
  const { numbers, operation } = job.data;
  const result = { operation, value: calculate(numbers, operation), count: numbers.length };
  const run = { job: { attemptsMade: job.attemptsMade }, input: job.data };
  await store.startAndFinish({ id: job.id!, name: job.name }, randomUUID(), 'raw', { state: 'COMPLETED', result }, run);
  return result;
}

async function recordWithLog(job: Job<CalculationTaskInput>): Promise<unknown> {
  const { numbers, operation } = job.data;
  const value = calculate(numbers, operation);
  store
    .appendLogs(job.id!, [{ level: 'info', message: `${operation} of ${numbers.length} numbers = ${value}` }], 1000)
    .catch(() => undefined);
  const result = { operation, value, count: numbers.length };
  const run = { job: { attemptsMade: job.attemptsMade }, input: job.data };
  await store.startAndFinish({ id: job.id!, name: job.name }, randomUUID(), 'raw', { state: 'COMPLETED', result }, run);
  return result;
}

const emptyScript = defineLuaCommand(commands, 'bench:empty', 'return 1', 1);
const processors = {
  nothing: async () => undefined,
  'round-trip': async (job: Job) => void (await emptyScript(job.id!)),
  records: record,
  'records-and-log': recordWithLog,
};
const processor = processors[mode as keyof typeof processors];
if (!processor) throw new Error(`unknown mode ${mode}`);
const worker = new Worker(QUEUE_NAME, processor, { connection, prefix, concurrency: Number(concurrency) });
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void worker.close().then(() => Promise.all([connection.quit(), commands.quit()]).then(() => process.exit(0)));
});
