import { createHash } from 'node:crypto';
import { UnrecoverableError, type Job, type Queue, type Telemetry } from 'bullmq';
import { LRUCache } from 'lru-cache';
import { enqueue } from '../core/enqueue-task.js';
import { againOnNoScript } from '../core/failover-errors.js';
import { idempotencyDigest } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { Partitions } from '../core/partitions.js';
import type { RateLimiter } from '../core/rate-limiter.js';
import type { RedisClient } from '../core/redis.js';
import { createScheduleQueues } from '../core/schedule-queue.js';
import { createScheduleStore, type ScheduleRecord, type ScheduleStore } from '../core/schedule-store.js';
import { taskKindNamed } from '../core/task-kinds/index.js';
import { createTaskQueues } from '../core/task-queue.js';
import type { TaskStore } from '../core/task-store.js';
import { waiterOf } from '../core/waiting.js';
import { moveOlderSchedulers } from './older-schedulers.js';

/**
 * How long a run's job id is kept as the idempotency key of the task it created: far longer than
 * BullMQ takes to run a job again (a stalled one after its lock runs out, a failed one after its
 * backoff), and no longer, as a schedule that runs every second keeps one key per run.
 */
const RUN_KEY_TTL_MS = 3_600_000;

/** Clients whose skipped runs were logged lately (one line each per window): a bound on memory. */
const MAX_CLIENTS_WARNED = 10_000;

/** What a run did: created its task (or found it created), or skipped, as the allowance was spent. */
export type RunOutcome = 'created' | 'skipped';

export interface ScheduleRuns {
  /** Whether a job is one a job scheduler made (a schedule's run) rather than a task's. */
  isRun(job: Job): boolean;
  /**
   * Creates the run's task, once however often the job runs, when its owner's creation allowance
   * has room for it; else creates nothing and records the run as skipped on its schedule.
   */
  run(job: Job): Promise<RunOutcome | null>;
  /** Moves the schedulers earlier versions made on the tasks queues to the queues of runs (worker/older-schedulers.ts). */
  moveOlderSchedulers(): Promise<number>;
  close(): Promise<void>;
}

export interface ScheduleRunsOptions {
  /** The worker's command connection: the queues of the runs' tasks go over it. */
  commands: RedisClient;
  partitions: Partitions;
  /** The worker's task store. */
  store: TaskStore;
  /** The creation allowance (core/rate-limiter.ts createCreationAllowance), which the API's creates take from too. */
  allowance: RateLimiter;
  /** The allowance's window: a client's skipped runs are logged once in it, and counted always. */
  allowanceWindowMs: number;
  /** Counts each run by what it did. */
  counted?: (outcome: RunOutcome) => void;
  /** BullMQ's telemetry, when traces are on: a run's task is traced from the run, as the API's creates are. */
  telemetry?: Telemetry;
  logger: Logger;
}

/**
 * A job scheduler's id is its schedule's, and its job ids are `repeat:<schedule id>:<due time>`
 * (BullMQ's own): the time the run was due, or the time the job was made if the id is not so.
 */
function dueTimeOf(job: Job): number {
  const dueAt = Number(job.id?.slice(job.id.lastIndexOf(':') + 1));
  return Number.isFinite(dueAt) && dueAt > 0 ? dueAt : job.timestamp;
}

/** Whether a run met again (retried, or taken up after its worker died) created its task already. */
async function createdBeforeBy(commands: RedisClient, partitions: Partitions, job: Job, owner: string | null) {
  if (job.attemptsStarted <= 1) return false;
  const digest = idempotencyDigest(owner, job.id!);
  return (await commands.exists(partitions.ofKey(digest).keys.idempotency(digest))) === 1;
}

/** Records a run its owner's allowance had no room for; logs it once per client and window. */
function skippedRuns(schedules: ScheduleStore, counted: (outcome: 'skipped') => void, allowanceWindowMs: number) {
  const warned = new LRUCache<string, true>({ max: MAX_CLIENTS_WARNED, ttl: allowanceWindowMs });
  return async (schedule: ScheduleRecord, dueAt: number, retryAfterSeconds: number, log: Logger) => {
    // The same run met again was counted the first time.
    if (!(await schedules.recordSkip(schedule.id, dueAt))) return;
    counted('skipped');
    const fields = { client: schedule.client, dueAt, retryAfterSeconds };
    const message = "run skipped: its owner's creation allowance (RATE_LIMIT_CREATES) is spent";
    if (warned.has(schedule.client)) {
      log.debug(fields, message);
    } else {
      warned.set(schedule.client, true);
      log.warn(fields, `${message}; the client's other runs skipped in this window are logged at debug level`);
    }
  };
}

/** The schedule's kind, and its input as that kind takes it now; a run fails for good on either gone. */
function kindAndInput(schedule: ScheduleRecord) {
  const kind = taskKindNamed(schedule.kind);
  if (!kind) throw new UnrecoverableError(`schedule ${schedule.id} creates an unknown kind: ${schedule.kind}`);
  const input = kind.input.safeParse(schedule.input);
  if (!input.success) throw new UnrecoverableError(`schedule ${schedule.id} holds input its kind no longer takes`);
  return { kind, input: input.data };
}

/** Removes a schedule's BullMQ scheduler from each of these queue lists' queue of a partition. */
async function removeScheduler(queueLists: readonly (readonly Queue[])[], partition: number, scheduleId: string) {
  for (const queues of queueLists) await againOnNoScript(() => queues[partition]!.removeJobScheduler(scheduleId));
}

/**
 * Turns each job of a schedule's BullMQ job scheduler into an ordinary task: its kind, input and
 * owner are the schedule record's (core/schedule-store.ts), not the job's, and the job id is the
 * create's idempotency key, so a job that runs twice (stalled, retried) creates one task. Each run
 * takes one creation from the allowance its owner's creates take from, as a create would.
 */
export function createScheduleRuns({
  commands,
  partitions,
  store,
  allowance,
  allowanceWindowMs,
  counted = () => undefined,
  telemetry,
  logger,
}: ScheduleRunsOptions): ScheduleRuns {
  const schedules = createScheduleStore(commands, partitions);
  const queues: Queue[] = createTaskQueues(commands, partitions, telemetry);
  const scheduleQueues = createScheduleQueues(commands, partitions);
  for (const queue of [...queues, ...scheduleQueues]) {
    queue.on('error', (error) => logger.warn({ err: error.message }, 'queue error'));
  }
  const skip = skippedRuns(schedules, counted, allowanceWindowMs);
  const createdBefore = (job: Job, owner: string | null) => createdBeforeBy(commands, partitions, job, owner);

  return {
    isRun: (job) => Boolean(job.repeatJobKey),

    async run(job) {
      const scheduleId = job.repeatJobKey!;
      const log = logger.child({ scheduleId, jobId: job.id });
      const schedule = await schedules.get(scheduleId);
      if (!schedule) {
        // Deleted: its scheduler was removed first, unless that failed; then it goes now, from
        // whichever queue it is on (the tasks queue held schedulers before runs had their own).
        const partition = partitions.ofTask(scheduleId);
        if (partition) await removeScheduler([scheduleQueues, queues], partition.index, scheduleId);
        log.info('run skipped: its schedule is gone');
        return null;
      }
      const { kind, input } = kindAndInput(schedule);
      const dueAt = dueTimeOf(job);
      if (!(await createdBefore(job, schedule.owner))) {
        const allowed = await allowance.take(schedule.client);
        if (!allowed.allowed) {
          await skip(schedule, dueAt, allowed.retryAfterSeconds, log);
          return 'skipped';
        }
      }
      const { record, created } = await enqueue({ store, partitions, queues }, kind, input, {
        ttlMs: schedule.ttlMs,
        owner: schedule.owner,
        scheduleId,
        // Counted as its owner's waiting tasks, not refused: the schedule's own limits bound its runs.
        waiting: schedule.owner === null ? null : { waiter: waiterOf(schedule.owner), maxPerOwner: null },
        idempotency: {
          key: job.id!,
          request: createHash('sha256').update(scheduleId).digest('base64url'),
          ttlMs: RUN_KEY_TTL_MS,
        },
      });
      await schedules.recordRun(scheduleId, record.id, dueAt);
      if (!created) {
        log.info({ taskId: record.id }, 'run done already: its task was created before');
        return 'created';
      }
      log.info({ taskId: record.id, task: kind.name, dueAt }, 'scheduled task queued');
      counted('created');
      return 'created';
    },

    moveOlderSchedulers: () => moveOlderSchedulers({ taskQueues: queues, scheduleQueues, schedules, logger }),

    async close() {
      await Promise.all(
        [...queues, ...scheduleQueues].map((queue) =>
          queue.close().catch((error: Error) => logger.warn({ err: error.message }, 'closing a queue failed')),
        ),
      );
    },
  };
}
