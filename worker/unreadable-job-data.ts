import { Worker, type Job, type JobJson } from 'bullmq';

/** The parser's message for each job whose stored data could not be read. */
const unreadable = new WeakMap<Job, string>();

/**
 * A BullMQ Worker that hands its processor a job whose stored data is not JSON, marked as such, so
 * that the processor runs the task's own input instead (the record's copy). BullMQ parses a job's data as it fetches it (Job.fromJSON), before
 * any of its options or events can act on the job: the parse error reaches only the worker's
 * `error` event, without the job; the job stays active until its lock runs out, the stall check
 * puts it back to wait, and the failure BullMQ defers after `maxStalledCount` stalls is applied
 * only to a job it has read, which this one never is: it is fetched again for ever.
 * createJob is the one step between the fetch and the processor.
 */
export class TaskJobWorker extends Worker {
  protected override createJob(data: JobJson, jobId: string): Job {
    try {
      return super.createJob(data, jobId);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      const job = super.createJob({ ...data, data: 'null' }, jobId);
      unreadable.set(job, error.message);
      return job;
    }
  }
}

/** Why the job's stored data could not be read; undefined when it was. */
export function unreadableData(job: Job): string | undefined {
  return unreadable.get(job);
}
