import type { Keys } from '../../core/keys.js';
import { isDeletedMarker, parseTaskHash, type TaskHash, type TaskRecord } from '../../core/task-record.js';
import { isTerminal } from '../../core/task-state.js';
import type { TaskStore } from '../../core/task-store.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';
import type { ChannelSubscription, ResubscribeListener, TaskPubSub } from './pubsub.js';

/** A change of a watched task, or null when the task is gone (deleted or expired). */
type TaskChange = TaskRecord | null;

function parseChange(message: unknown): TaskChange {
  const hash = message as TaskHash;
  return isDeletedMarker(hash) ? null : parseTaskHash(hash);
}

/**
 * Follows one task for `taskProgress`: subscribes to its channel and waits until Redis confirms,
 * then reads the snapshot and yields it, then yields only changes newer than what it has sent, and
 * ends after the terminal state. When the subscriber connection comes back after a drop, it reads
 * the snapshot again, so a change published while it was away is not lost.
 *
 * Resolves to null for an unknown task, or one `visible` refuses (nothing is left subscribed).
 */
export async function watchTask(
  id: string,
  {
    pubsub,
    store,
    keys,
    metrics,
    visible = () => true,
  }: {
    pubsub: TaskPubSub;
    store: TaskStore;
    keys: Keys;
    metrics: ApiMetrics;
    visible?: (record: TaskRecord) => boolean;
  },
): Promise<AsyncIterableIterator<TaskRecord> | null> {
  const watch = new TaskWatch(id, pubsub, pubsub.subscribe(keys.taskChannel(id), parseChange), store, metrics);
  pubsub.onResubscribed(watch);
  let snapshot: TaskRecord | null;
  try {
    snapshot = await watch.start();
  } catch (error) {
    await watch.return();
    throw error;
  }
  if (!snapshot || !visible(snapshot)) {
    await watch.return();
    return null;
  }
  return watch;
}

const DONE = { done: true, value: undefined } as const;

/**
 * The snapshot, then each newer change, until a terminal state. A class with plain promise
 * chains rather than an async generator and closures: one lives per subscription, thousands at
 * once, and what sits on the prototype costs nothing per instance. return() releases the channel
 * at once, even while a next() waits for a change.
 */
class TaskWatch implements AsyncIterableIterator<TaskRecord>, ResubscribeListener {
  private pending: TaskRecord | null = null;
  private lastSeq = -1;
  private endAfterLast = false;
  private ended = false;

  constructor(
    private readonly id: string,
    private readonly pubsub: TaskPubSub,
    private readonly changes: ChannelSubscription<TaskChange>,
    private readonly store: TaskStore,
    private readonly metrics: ApiMetrics,
  ) {}

  /** Reads the snapshot once Redis has confirmed the subscription; it is the first value. */
  async start(): Promise<TaskRecord | null> {
    await this.changes.ready;
    this.pending = await this.store.get(this.id);
    return this.pending;
  }

  /** After a reconnect: the task as it is now, in line with the changes (older ones are skipped). */
  resubscribed(): void {
    this.store.get(this.id).then(
      (record) => this.changes.push(record),
      () => undefined, // Redis went away again; the next reconnect resyncs
    );
  }

  next(): Promise<IteratorResult<TaskRecord>> {
    if (this.ended || this.endAfterLast) return this.end();
    const record = this.pending;
    this.pending = null;
    if (record) return Promise.resolve(this.send(record));
    return this.changes.next().then((change) => this.onChange(change));
  }

  return(): Promise<IteratorResult<TaskRecord>> {
    return this.end();
  }

  async throw(error: unknown): Promise<IteratorResult<TaskRecord>> {
    await this.end();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private onChange(
    change: IteratorResult<TaskChange>,
  ): Promise<IteratorResult<TaskRecord>> | IteratorResult<TaskRecord> {
    if (this.ended) return DONE;
    if (change.done || !change.value) return this.end(); // channel closed, or the task is gone
    if (change.value.seq <= this.lastSeq) return this.changes.next().then((next) => this.onChange(next));
    this.metrics.changeDelivered(change.value); // a snapshot read after a reconnect has no changedAt
    return this.send(change.value);
  }

  private send(record: TaskRecord): IteratorResult<TaskRecord> {
    this.lastSeq = record.seq;
    this.endAfterLast = isTerminal(record.state);
    return { done: false, value: record };
  }

  private async end(): Promise<IteratorResult<TaskRecord>> {
    if (!this.ended) {
      this.ended = true;
      this.pubsub.offResubscribed(this);
      await this.changes.return();
    }
    return DONE;
  }
}
