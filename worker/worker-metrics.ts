import { Counter, Gauge, type Registry } from 'prom-client';
import { createReconnectCounter, createTaskCounter } from '../core/metrics.js';
import type { RunOutcome, TaskStore } from '../core/task-store.js';
import type { RunOutcome as ScheduleRunOutcome } from './schedule-runs.js';

/** What a worker process counts; worker/worker.ts makes it, the task worker counts into it. */
export interface WorkerMetrics {
  readonly register: Registry;
  /**
   * The store, with every end of a run it records counted by kind and state: a run that ends
   * COMPLETED, FAILED or CANCELLED, and a task given up by the queue (FAILED). A run handed back to
   * the queue has not ended; a run whose task someone else changed first records nothing.
   */
  countRunEnds(store: TaskStore): TaskStore;
  /** Counts `run` among the tasks this process runs, until it settles. */
  running<T>(run: Promise<T>): Promise<T>;
  /** Counts a schedule's run: it created its task, or was skipped (its owner's allowance was spent). */
  scheduleRunDone(outcome: ScheduleRunOutcome): void;
  redisReconnected(connection: string): void;
}

export interface WorkerMetricsOptions {
  /** The kinds it runs, shown at 0 before their first run. */
  kinds: readonly string[];
  concurrency: number;
  /** The worker's Redis connections, by role. */
  connections: readonly string[];
}

export function createWorkerMetrics(
  register: Registry,
  { kinds, concurrency, connections }: WorkerMetricsOptions,
): WorkerMetrics {
  const registers = [register];
  const ends = {
    COMPLETED: createTaskCounter(register, 'completed', kinds),
    FAILED: createTaskCounter(register, 'failed', kinds),
    CANCELLED: createTaskCounter(register, 'cancelled', kinds),
  };
  const ended = (kind: string, state: RunOutcome['state']) => {
    if (state !== 'QUEUED') ends[state].inc({ kind });
  };
  const reconnects = createReconnectCounter(register, connections);
  const scheduleRuns = new Counter({
    name: 'task_service_schedule_runs_total',
    help: "Schedule runs this worker process handled: created (its task), or skipped (its owner's creation allowance was spent).",
    labelNames: ['outcome'],
    registers,
  });
  for (const outcome of ['created', 'skipped'] satisfies ScheduleRunOutcome[]) scheduleRuns.inc({ outcome }, 0);
  const runningTasks = new Gauge({
    name: 'task_service_worker_running_tasks',
    help: 'Tasks this worker process is running.',
    registers,
  });
  new Gauge({
    name: 'task_service_worker_concurrency',
    help: 'Tasks this worker process runs at once at most (WORKER_CONCURRENCY).',
    registers,
  }).set(concurrency);

  return {
    register,
    countRunEnds: (store) => ({
      ...store,
      async finish(task, runId, outcome, lastStep, log) {
        const answer = await store.finish(task, runId, outcome, lastStep, log);
        // CANCELLED: a cancel asked for meanwhile won over the outcome.
        if (answer) ended(task.name, answer === 'CANCELLED' ? answer : outcome.state);
        return answer;
      },
      async startAndFinish(task, runId, worker, outcome, run) {
        const answer = await store.startAndFinish(task, runId, worker, outcome, run);
        if (answer.state === 'ACTIVE') ended(task.name, outcome.state);
        return answer;
      },
      async abandon(task, error) {
        const abandoned = await store.abandon(task, error);
        if (abandoned) ended(task.name, 'FAILED');
        return abandoned;
      },
    }),
    async running(run) {
      runningTasks.inc();
      try {
        return await run;
      } finally {
        runningTasks.dec();
      }
    },
    scheduleRunDone: (outcome) => scheduleRuns.inc({ outcome }),
    redisReconnected: (connection) => reconnects.inc({ connection }),
  };
}
