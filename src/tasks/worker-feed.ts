import type { Logger } from '../../core/logger.js';
import type { WorkerInfo } from '../../core/worker-registry.js';

/** A worker as the API shows it: its record, and how long it has been up. */
export interface LiveWorker extends WorkerInfo {
  /** Seconds since it started. */
  uptime: number;
}

export function liveWorkers(workers: readonly WorkerInfo[], now = Date.now()): LiveWorker[] {
  return workers.map((worker) => ({ ...worker, uptime: Math.floor((now - worker.startedAt.getTime()) / 1000) }));
}

/**
 * The live workers pushed to `workersChanged`. Workers write their records every few seconds and
 * whenever their count of running tasks changes, and a dead one's record simply expires: the one
 * way to see all of it is to read the registry. The feed reads it once a second for the whole API
 * instance, and only while someone listens, and sends each listener the list when it differs from
 * the last one that listener got. Its cost grows with nothing a client does.
 */
export interface WorkerFeed {
  /** The workers now, then the list each time it changes; ends when returned. */
  watch(): Promise<AsyncIterableIterator<LiveWorker[]>>;
  /** Stops reading; the watches end. */
  close(): void;
}

export interface WorkerFeedOptions {
  /** The registry's list (core/worker-registry.ts). */
  list(): Promise<WorkerInfo[]>;
  /** How often the registry is read while anyone watches. @defaultValue 1 000 */
  everyMs?: number;
  logger: Logger;
}

const DONE = { done: true, value: undefined } as const;

/** What tells two lists apart: everything of the records, the uptimes left out (they change every second). */
const signatureOf = (workers: readonly WorkerInfo[]) => JSON.stringify(workers);

/**
 * One listener. It holds at most one list it has not taken yet, the newest: a slow reader skips
 * lists rather than queueing them.
 */
class WorkerWatch implements AsyncIterableIterator<LiveWorker[]> {
  private pending: WorkerInfo[] | null = null;
  private sent: string | null = null;
  private waiting: ((result: IteratorResult<LiveWorker[]>) => void) | null = null;
  private done = false;

  constructor(private readonly onEnd: (watch: WorkerWatch) => void) {}

  /** Offers a list: kept (replacing one not taken yet) unless it is the one this watch last got. */
  offer(workers: WorkerInfo[], signature: string): void {
    if (this.done || signature === this.sent) return;
    this.sent = signature;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ done: false, value: liveWorkers(workers) });
    } else {
      this.pending = workers;
    }
  }

  next(): Promise<IteratorResult<LiveWorker[]>> {
    if (this.done) return Promise.resolve(DONE);
    if (this.pending) {
      const workers = this.pending;
      this.pending = null;
      return Promise.resolve({ done: false, value: liveWorkers(workers) });
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<LiveWorker[]>> {
    if (!this.done) {
      this.done = true;
      this.pending = null;
      this.waiting?.(DONE);
      this.waiting = null;
      this.onEnd(this);
    }
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<LiveWorker[]>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

export function createWorkerFeed({ list, everyMs = 1_000, logger }: WorkerFeedOptions): WorkerFeed {
  const watches = new Set<WorkerWatch>();
  let timer: NodeJS.Timeout | null = null;
  let reading: Promise<WorkerInfo[]> | null = null;
  let closed = false;

  /** One read of the registry at a time, shared by the timer and the watches starting meanwhile. */
  const read = () => {
    reading ??= list().finally(() => (reading = null));
    return reading;
  };

  const tick = () => {
    read().then(
      (workers) => {
        const signature = signatureOf(workers);
        for (const watch of watches) watch.offer(workers, signature);
      },
      (error: Error) => logger.debug({ err: error.message }, 'could not read the workers'),
    );
  };

  const stopIfIdle = (watch: WorkerWatch) => {
    watches.delete(watch);
    if (watches.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  return {
    async watch() {
      if (closed) throw new Error('the worker feed is closed');
      const watch = new WorkerWatch(stopIfIdle);
      const workers = await read();
      watch.offer(workers, signatureOf(workers));
      if (closed) {
        await watch.return();
        return watch;
      }
      watches.add(watch);
      timer ??= setInterval(tick, everyMs);
      return watch;
    },

    close() {
      closed = true;
      for (const watch of [...watches]) void watch.return();
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
