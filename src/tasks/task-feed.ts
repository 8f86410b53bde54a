import type { TaskRecord } from '../../core/task-record.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';
import type { ChannelSubscription } from './pubsub.js';

const DONE = { done: true, value: undefined } as const;

/**
 * Every change of every task the caller may see, for `taskUpdated`: the all-tasks channel with the
 * others' tasks left out. A class rather than an async generator, whose return() would wait for the
 * next event before it could unsubscribe; this one releases the channel at once.
 */
export class TaskFeed implements AsyncIterableIterator<TaskRecord> {
  constructor(
    private readonly changes: ChannelSubscription<TaskRecord | null>,
    private readonly sees: (record: TaskRecord) => boolean,
    private readonly metrics: ApiMetrics,
  ) {}

  /** Resolves once Redis has confirmed the subscription. */
  get ready(): Promise<void> {
    return this.changes.ready;
  }

  async next(): Promise<IteratorResult<TaskRecord>> {
    for (;;) {
      const change = await this.changes.next();
      if (change.done) return DONE;
      if (change.value && this.sees(change.value)) {
        this.metrics.changeDelivered(change.value);
        return { done: false, value: change.value };
      }
    }
  }

  async return(): Promise<IteratorResult<TaskRecord>> {
    await this.changes.return();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<TaskRecord>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
