import { DEFAULT_WORKER_MAX_TIMEOUT } from '../core/limits.js';
import { hostname } from 'node:os';
import { z } from 'zod';
import {
  checkRedisVariables,
  commonConfig,
  commonVariables,
  creationAllowanceVariables,
  integer,
  loadConfig,
  parseConfig,
  seconds,
  wholeNumber,
} from '../core/config.js';

/** Every variable the worker reads, with its default; docs/configuration.md and .env.example list the same. */
const workerVariables = z
  .object({
    ...commonVariables,
    ...creationAllowanceVariables,
    /** Sleeping tasks wait on timers, so one process runs many at once without holding a core. */
    WORKER_CONCURRENCY: integer(1, 10_000, 100),
    /**
     * Schedule runs handled at once, apart from the tasks: a run only creates its task (a few Redis
     * calls), so a few keep up with many schedules.
     */
    WORKER_SCHEDULE_CONCURRENCY: integer(1, 1_000, 10),
    /**
     * Threads for the runs of kinds declared `isolation: 'thread'`; runs beyond them wait. The
     * machine's cores when unset: fewer leave a core to the other runs when CPU-bound ones fill them.
     */
    WORKER_THREADS: wholeNumber(1, 256).optional(),
    /** Seconds; a kind's maxSeconds may set a lower limit for its runs. */
    WORKER_MAX_TIMEOUT: seconds(1, 86_400, DEFAULT_WORKER_MAX_TIMEOUT),
    /** Lines a task's log keeps; the oldest go first. */
    MAX_TASK_LOG_LINES: integer(1, 10_000, 1_000),
    /** Seconds a stopping worker lets running tasks go on before handing them back to the queue. */
    SHUTDOWN_TIMEOUT: seconds(0, 3_600, 30),
    /**
     * Seconds a worker's hold on a running task lasts without renewal (renewed every half of it). A
     * task whose worker died is taken up again once this has passed, at the next stall check.
     */
    WORKER_LOCK_DURATION: seconds(1, 600, 10),
    /** Seconds between checks for tasks whose worker died. */
    WORKER_STALLED_INTERVAL: seconds(1, 600, 5),
    /** Times a task may lose its worker and be taken up again before it fails. */
    WORKER_MAX_STALLED: integer(0, 100, 2),
    WORKER_NAME: z
      .string()
      .regex(/^[\w.@-]{1,100}$/, { error: 'must be 1 to 100 letters, digits, or . _ - @' })
      .default(`worker@${hostname()}-${process.pid}`),
    /** Where the worker serves /metrics, /healthz and /readyz (on HOST, as the API does); off when unset. */
    METRICS_PORT: wholeNumber(1, 65_535).optional(),
    HOST: z.string().min(1, { error: 'must not be empty' }).default('0.0.0.0'),
  })
  .superRefine(checkRedisVariables);

export const workerConfigSchema = workerVariables.transform((v) => ({
  ...commonConfig(v),
  worker: {
    name: v.WORKER_NAME,
    concurrency: v.WORKER_CONCURRENCY,
    scheduleConcurrency: v.WORKER_SCHEDULE_CONCURRENCY,
    threads: v.WORKER_THREADS ?? null,
    maxTimeoutMs: v.WORKER_MAX_TIMEOUT,
    maxLogLines: v.MAX_TASK_LOG_LINES,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT,
    stalled: {
      lockDurationMs: v.WORKER_LOCK_DURATION,
      checkEveryMs: v.WORKER_STALLED_INTERVAL,
      maxCount: v.WORKER_MAX_STALLED,
    },
  },
  metrics: { port: v.METRICS_PORT ?? null, host: v.HOST },
  creationAllowance: { limit: v.RATE_LIMIT_CREATES, windowSeconds: v.RATE_LIMIT_WINDOW / 1000 },
}));

export type WorkerConfig = z.output<typeof workerConfigSchema>;

/** The worker's configuration from the environment (and `.env`); throws a ConfigError naming each bad variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  return loadConfig(workerConfigSchema, env);
}

/** The same from the given variables alone, with no `.env`: tests and tools. */
export function parseWorkerConfig(env: NodeJS.ProcessEnv = {}): WorkerConfig {
  return parseConfig(workerConfigSchema, env);
}
