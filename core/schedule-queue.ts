import {
  Queue,
  type ConnectionOptions,
  type JobSchedulerTemplateOptions,
  type RepeatOptions,
  type Telemetry,
} from 'bullmq';
import { againOnNoScript } from './failover-errors.js';
import type { Partitions } from './partitions.js';
import { DEFAULT_TIMEZONE, type ScheduleRecord, type ScheduleSpec } from './schedule-store.js';

/**
 * The BullMQ queue of the schedules' runs, one per partition beside its `tasks` queue (same
 * prefix, so same slot): its keys read `{tasks}:schedule-runs:...`. Each schedule is a job
 * scheduler of it, which makes one job per due time; workers take these with a concurrency of
 * their own (WORKER_SCHEDULE_CONCURRENCY), so a run never waits for a task's slot, however busy
 * the tasks keep every worker.
 */
export const SCHEDULE_QUEUE_NAME = 'schedule-runs';

/**
 * The jobs a scheduler makes: a few attempts, as a run that failed to reach Redis can try again
 * without creating a second task (its job id is its idempotency key); removed once done.
 */
const RUN_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: true,
} as const satisfies JobSchedulerTemplateOptions;

export function createScheduleQueues(
  connection: ConnectionOptions,
  partitions: Partitions,
  telemetry?: Telemetry,
): Queue[] {
  return partitions.all.map(
    ({ keys }) => new Queue(SCHEDULE_QUEUE_NAME, { connection, prefix: keys.prefix, ...(telemetry && { telemetry }) }),
  );
}

/** BullMQ's repeat options for a schedule: a cron expression in its zone, or an interval (run at once, then every so often). */
function repeatOf({ cron, everySeconds, timezone }: ScheduleSpec): Omit<RepeatOptions, 'key'> {
  if (cron !== null) return { pattern: cron, tz: timezone ?? DEFAULT_TIMEZONE };
  return { every: everySeconds! * 1000 };
}

/**
 * Makes (or replaces) the schedule's job scheduler on its partition's queue of runs; `firstRunAt`
 * puts an interval's first run there instead of now. Its job's name and data are the schedule's
 * kind and input, for Bull Board and Taskforce to show: a run reads the record's.
 */
export async function upsertScheduler(
  queue: Queue,
  schedule: Pick<ScheduleRecord, 'id' | 'kind' | 'input'> & ScheduleSpec,
  firstRunAt?: number,
): Promise<void> {
  const repeat = repeatOf(schedule);
  const job = await againOnNoScript(() =>
    queue.upsertJobScheduler(
      schedule.id,
      firstRunAt !== undefined && repeat.every !== undefined ? { ...repeat, startDate: firstRunAt } : repeat,
      { name: schedule.kind, data: schedule.input, opts: RUN_JOB_OPTIONS },
    ),
  );
  if (!job) throw new Error(`BullMQ found no due time for schedule ${schedule.id}`);
}
