import type { Job } from 'bullmq';

type Process = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

/**
 * A BullMQ processor whose processing of a job ends only after any newer processing of the same
 * job by the same Worker has ended.
 *
 * A job whose lock ran out while it ran (a failover longer than the lock, an event loop held up)
 * is put back by the stall check and may be taken up again by the Worker that still runs it. The
 * newer run takes the task over (its record names the newer run), and the older one stops at its
 * next step. But BullMQ's lock manager keeps the locks to renew by job id alone: when the older
 * processing ends, BullMQ stops renewing the newer one's lock too, so the job stalls again and
 * again until it fails as "stalled more than allowable limit" (docs/upstream-reports.md, the report to
 * BullMQ). Ending the older processing last leaves the newer one's lock renewed while it runs.
 */
export function keepNewerLocks(processJob: Process): Process {
  // Per job id, the end of its newest processing in this Worker.
  const newest = new Map<string, Promise<void>>();
  // Three parameters, as BullMQ counts them: it then gives each job an abort signal (worker.cancelJob).
  return async (job, token, signal) => {
    const id = job.id!;
    let ended!: () => void;
    const end = new Promise<void>((resolve) => (ended = resolve));
    newest.set(id, end);
    try {
      return await processJob(job, token, signal);
    } finally {
      ended();
      for (let next = newest.get(id); next && next !== end; next = newest.get(id)) await next;
      if (newest.get(id) === end) newest.delete(id);
    }
  };
}
