import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../core/logger.js';
import type { TaskState } from '../../core/task-state.js';

/** BullMQ's states of a job that has not ended, as `getJobCounts` names them. */
const JOB_STATES = ['waiting', 'delayed', 'prioritized', 'active'] as const;

export interface TaskGaugeOptions {
  kinds: readonly string[];
  /** How many tasks (of a kind, or of all) are in a state: the one read the gauges make, whatever the keys. */
  countTasks(state: TaskState, kind?: string): Promise<number>;
  /** How many tasks of a kind wait to run now (delayed ones not yet due left out). */
  countBacklog(kind: string): Promise<number>;
  /** The most tasks one owner (or address) has waiting to start (core/waiting.ts). */
  largestWaiting(): Promise<number>;
  /** Every partition's queue: the jobs are summed over them. */
  queues: readonly Pick<Queue, 'getJobCounts'>[];
  logger: Logger;
}

/**
 * How long one read from Redis answers every scrape: /metrics needs no token, and each read costs a
 * few commands per kind and partition, so scrapes at any rate cost Redis one read a second at most.
 */
const READ_EVERY_MS = 1_000;

/** `read`, answered from its last call for READ_EVERY_MS; calls meanwhile share the one in flight. */
function sharedFor<T>(read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= READ_EVERY_MS) {
      const value = read();
      last = { at: now, value };
      value.catch(() => (last = null)); // a failed read is not kept
    }
    return last.value;
  };
}

/**
 * The gauges read from Redis when Prometheus scrapes, the same on every API instance: tasks waiting
 * to run (what workers are scaled on), tasks running, and BullMQ's jobs. A read that fails leaves
 * the gauge without a value for that scrape rather than with an old one.
 */
export function registerTaskGauges(
  register: Registry,
  { kinds, countTasks, countBacklog, largestWaiting, queues, logger }: TaskGaugeOptions,
): void {
  const registers = [register];
  const failed = (gauge: { reset(): void }, name: string, error: unknown) => {
    gauge.reset();
    logger.debug({ err: error instanceof Error ? error.message : String(error), metric: name }, 'metric not read');
  };

  const tasksIn = (name: string, help: string, count: (kind: string) => Promise<number>) => {
    const read = sharedFor(() => Promise.all(kinds.map(count)));
    return new Gauge({
      name,
      help,
      labelNames: ['kind'],
      registers,
      async collect() {
        try {
          const counts = await read();
          kinds.forEach((kind, i) => this.set({ kind }, counts[i]!));
        } catch (error) {
          failed(this, name, error);
        }
      },
    });
  };
  tasksIn(
    'task_service_backlog',
    'Tasks waiting to run now (QUEUED: waiting, prioritized, retrying, or delayed past their start time), by kind, over every partition, read from Redis at each scrape.',
    countBacklog,
  );
  tasksIn(
    'task_service_running_tasks',
    'Tasks running (ACTIVE) on any worker, by kind, read from Redis at each scrape.',
    (kind) => countTasks('ACTIVE', kind),
  );

  // What MAX_WAITING_PER_OWNER bounds, without a series per owner: all of it, and the largest share.
  const single = (name: string, help: string, count: () => Promise<number>) => {
    const read = sharedFor(count);
    return new Gauge({
      name,
      help,
      registers,
      async collect() {
        try {
          this.set(await read());
        } catch (error) {
          failed(this, name, error);
        }
      },
    });
  };
  single(
    'task_service_waiting_tasks',
    'Tasks waiting to start (QUEUED, delayed ones included), over every partition, read from Redis at each scrape.',
    () => countTasks('QUEUED'),
  );
  single(
    'task_service_waiting_tasks_largest_owner',
    'The most tasks one owner (or address, without authentication) has waiting to start, of MAX_WAITING_PER_OWNER at most, read from Redis at each scrape.',
    largestWaiting,
  );

  const readJobs = sharedFor(() => Promise.all(queues.map((queue) => queue.getJobCounts(...JOB_STATES))));
  new Gauge({
    name: 'task_service_queue_jobs',
    help: "BullMQ's jobs that have not ended, by state, over every partition's queue, read from Redis at each scrape.",
    labelNames: ['state'],
    registers,
    async collect() {
      try {
        const counts = await readJobs();
        for (const state of JOB_STATES) {
          this.set(
            { state },
            counts.reduce((sum, count) => sum + (count[state] ?? 0), 0),
          );
        }
      } catch (error) {
        failed(this, 'task_service_queue_jobs', error);
      }
    },
  });
}
