import type { WorkerOptions } from 'bullmq';

/** How a job whose worker died is found and taken up again (BullMQ's lock and stall check). */
export interface StalledOptions {
  /** How long a worker's lock on a running task lasts without renewal. */
  lockDurationMs: number;
  /** How often workers look for tasks whose lock has run out. */
  checkEveryMs: number;
  /** Times a task may be taken up again before it fails. */
  maxCount: number;
}

/** BullMQ's names for them. */
export function stalledJobOptions({ lockDurationMs, checkEveryMs, maxCount }: StalledOptions) {
  return {
    lockDuration: lockDurationMs,
    stalledInterval: checkEveryMs,
    maxStalledCount: maxCount,
  } satisfies Partial<WorkerOptions>;
}

/** Part `index` of `total` split over `parts`, at least one: the parts differ by one at most. */
export function evenShare(total: number, parts: number, index: number): number {
  return Math.max(1, Math.floor((total + index) / parts));
}
