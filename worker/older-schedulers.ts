import type { Queue } from 'bullmq';
import type { Logger } from '../core/logger.js';
import { upsertScheduler } from '../core/schedule-queue.js';
import type { ScheduleStore } from '../core/schedule-store.js';

/** Schedulers read from a tasks queue at once. */
const PAGE_SIZE = 100;

export interface OlderSchedulersOptions {
  /** Each partition's tasks queue, by its index. */
  taskQueues: readonly Queue[];
  /** Each partition's queue of schedule runs, by its index. */
  scheduleQueues: readonly Queue[];
  schedules: ScheduleStore;
  logger: Logger;
}

/**
 * Moves the job schedulers that earlier versions made on the tasks queues, where their runs waited
 * for a task's slot, to the queues of schedule runs: each is made there again from its schedule's
 * record, its next run kept where it was, then removed from the tasks queue (with its next job);
 * one whose schedule is gone is only removed. Workers that start together may both move one:
 * making it again where it is already is left out, and removing it twice removes it once. Answers
 * how many it moved.
 */
export async function moveOlderSchedulers({
  taskQueues,
  scheduleQueues,
  schedules,
  logger,
}: OlderSchedulersOptions): Promise<number> {
  let moved = 0;
  for (const [index, tasks] of taskQueues.entries()) {
    const runs = scheduleQueues[index]!;
    for (let page = await tasks.getJobSchedulers(0, PAGE_SIZE - 1); page.length > 0;) {
      for (const scheduler of page) {
        const schedule = await schedules.get(scheduler.key);
        if (schedule && !(await runs.getJobScheduler(schedule.id))) {
          // A next run due already is waiting in the tasks queue, where it still runs: an interval's
          // first run here is the one after it.
          const next = scheduler.next ?? Date.now();
          await upsertScheduler(runs, schedule, next > Date.now() ? next : next + (scheduler.every ?? 0));
          moved++;
        }
        await tasks.removeJobScheduler(scheduler.key);
      }
      page = await tasks.getJobSchedulers(0, PAGE_SIZE - 1);
    }
  }
  if (moved > 0) logger.info({ schedules: moved }, 'schedules moved from the tasks queues to their own');
  return moved;
}
