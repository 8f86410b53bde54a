import calculationTask from '../../tasks/calculation.js';
import { startEntryPoint } from '../../testbed/processes.js';
import { redisUrl, stopProcess } from './service.js';
import type { TaskBench } from './tasks.js';

/** What the raw BullMQ worker (bench/peers/raw-bullmq-worker.ts) does with each job. */
export type RawMode = 'nothing' | 'round-trip' | 'records' | 'records-and-log';

/** The raw BullMQ worker in a process of its own, once it runs. */
export async function startRawWorker(prefix: string, concurrency: number, mode: RawMode) {
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const worker = startEntryPoint(
    'bench/peers/raw-bullmq-worker.ts',
    [redisUrl, prefix, String(concurrency), mode],
    { stdout: () => ready(), stderr: 'inherit' }, // it prints one line once it runs
  );
  try {
    await Promise.race([
      started,
      worker.exited.then((code) => Promise.reject(new Error(`the raw BullMQ worker exited with ${code}`))),
    ]);
  } catch (error) {
    await stopProcess(worker);
    throw error;
  }
  return { pid: worker.child.pid!, stop: () => stopProcess(worker) };
}

/** Plain jobs of the calculation kind, with no task records, added a thousand at a time. */
export async function addPlainJobs(bench: TaskBench, data: readonly unknown[]): Promise<void> {
  const jobs = data.map((one) => ({ name: calculationTask.name, data: one }));
  for (let i = 0; i < jobs.length; i += 1000) await bench.queue.addBulk(jobs.slice(i, i + 1000));
}
