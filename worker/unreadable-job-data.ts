import { Worker, raw2NextJobData, type Job, type JobJson, type Processor, type WorkerOptions } from 'bullmq';
import type { RedisClient } from '../core/redis.js';

/** The parser's message for each job whose stored data could not be read. */
const unreadable = new WeakMap<Job, string>();
/** The fields, with the parser's message, of each job whose stored options (or progress) could not be read. */
const unreadableFields = new WeakMap<Job, string>();

/**
 * Besides its data (createJob below), the fields of a job's hash BullMQ parses as JSON as it fetches
 * the job, and what stands in for one that does not parse (null: left out).
 */
const STAND_INS: ReadonlyMap<string, string | null> = new Map([
  ['opts', '{}'],
  ['progress', '0'],
  ['parent', null],
]);

/** Active jobs read at a time while looking for the one a fetch took. */
const ACTIVE_PAGE = 500;

/**
 * A BullMQ Worker that hands its processor a job whose stored data or options are not JSON, marked as
 * such, so that the processor runs the task's own input instead (the record's copy), once.
 *
 * BullMQ parses a job's data as it fetches it (Job.fromJSON), before any of its options or events can
 * act on the job: the parse error reaches only the worker's `error` event, without the job; the job
 * stays active until its lock runs out, the stall check puts it back to wait, and the failure BullMQ
 * defers after `maxStalledCount` stalls is applied only to a job it has read, which this one never
 * is: it is fetched again for ever. createJob is the one step between the fetch and the processor.
 *
 * Options (and progress) are parsed earlier still, inside the fetch (the backend's raw2NextJobData),
 * whose error loses the job's id too: a fetch (moveToActive) and the fetch of the next job that ends
 * a run (handleCompleted, handleFailed) that fail to parse find the job by the lock token they took it
 * with, read its hash, and hand it on with an empty set of options: it runs once, without retries.
 */
export class TaskJobWorker extends Worker {
  constructor(
    name: string,
    processor: Processor,
    opts: WorkerOptions,
    /** A connection of the process's own, to find and read a job BullMQ could not. */
    private readonly reader: RedisClient,
  ) {
    super(name, processor, opts);
  }

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

  protected override async moveToActive(token: string, name?: string): Promise<Job> {
    try {
      return await super.moveToActive(token, name);
    } catch (error) {
      return this.takeUnreadable(error, token);
    }
  }

  protected override async handleCompleted(...args: Parameters<Worker['handleCompleted']>): Promise<Job> {
    try {
      return await super.handleCompleted(...args);
    } catch (error) {
      return this.takeUnreadable(error, args[2]);
    }
  }

  protected override async handleFailed(...args: Parameters<Worker['handleFailed']>): Promise<Job> {
    try {
      return await super.handleFailed(...args);
    } catch (error) {
      return this.takeUnreadable(error, args[2]);
    }
  }

  /**
   * After a fetch that failed to parse what it took: the job the fetch's token holds, read again with
   * a stand-in for each field that does not parse, as BullMQ would have handed it on.
   */
  private async takeUnreadable(error: unknown, token: string): Promise<Job> {
    if (!(error instanceof SyntaxError)) throw error;
    const jobId = await this.jobHeldBy(token);
    if (jobId === undefined) throw error;
    const fields: string[] = [];
    const notes: string[] = [];
    for (const [field, value] of Object.entries(await this.reader.hgetall(this.toKey(jobId)))) {
      const standIn = STAND_INS.get(field);
      const reason = standIn === undefined ? null : parseError(value);
      if (reason === null) {
        fields.push(field, value);
        continue;
      }
      notes.push(`${field}: ${reason}`);
      if (standIn) fields.push(field, standIn);
    }
    const [jobData] = raw2NextJobData([fields, jobId, 0, 0]) as [JobJson];
    const job = await this.nextJobFromJobData(jobData, jobId, token);
    if (notes.length) unreadableFields.set(job, notes.join('; '));
    return job;
  }

  /** The active job whose lock holds `token`: the one a fetch with it took. */
  private async jobHeldBy(token: string): Promise<string | undefined> {
    for (let from = 0; ; from += ACTIVE_PAGE) {
      const ids = await this.reader.lrange(this.keys.active!, from, from + ACTIVE_PAGE - 1);
      if (ids.length === 0) return undefined;
      const locks = await this.reader.mget(ids.map((id) => `${this.toKey(id)}:lock`));
      const held = locks.indexOf(token);
      if (held >= 0) return ids[held];
      if (ids.length < ACTIVE_PAGE) return undefined;
    }
  }
}

/** Why a stored field does not parse; null when it does, or is empty (which BullMQ reads as nothing). */
function parseError(json: string): string | null {
  if (json === '') return null;
  try {
    JSON.parse(json);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Why the job's stored data could not be read; undefined when it was. */
export function unreadableData(job: Job): string | undefined {
  return unreadable.get(job);
}

/** Which of the job's stored options (or progress) could not be read, and why; undefined when all were. */
export function unreadableOptions(job: Job): string | undefined {
  return unreadableFields.get(job);
}
