/**
 * The drain baseline: a BullMQ worker that does nothing with its jobs, with the service's queue
 * options and concurrency. Usage: raw-bullmq-worker.ts <redis url> <prefix> <concurrency>.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME } from '../../core/keys.js';

const [url, prefix, concurrency] = process.argv.slice(2);
const connection = new Redis(url!, { maxRetriesPerRequest: null });
const worker = new Worker(QUEUE_NAME, async () => undefined, { connection, prefix, concurrency: Number(concurrency) });
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void worker.close().then(() => connection.quit().then(() => process.exit(0)));
});
