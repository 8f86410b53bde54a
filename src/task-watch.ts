import type { Keys } from '../core/keys.js';
import { isDeletedMarker, parseTaskHash, type TaskHash, type TaskRecord } from '../core/task-record.js';
import { isTerminal } from '../core/task-state.js';
import type { TaskStore } from '../core/task-store.js';
import type { TaskPubSub } from './pubsub.js';

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
    visible = () => true,
  }: { pubsub: TaskPubSub; store: TaskStore; keys: Keys; visible?: (record: TaskRecord) => boolean },
): Promise<AsyncIterableIterator<TaskRecord> | null> {
  const changes = pubsub.subscribe(keys.taskChannel(id), parseChange);
  const resync = () => {
    store.get(id).then(
      (record) => changes.push(record),
      () => undefined, // Redis went away again; the next reconnect resyncs
    );
  };
  const stopResync = pubsub.onResubscribed(resync);
  const release = async () => {
    stopResync();
    await changes.return();
  };

  let snapshot: TaskRecord | null;
  try {
    await changes.ready;
    snapshot = await store.get(id);
  } catch (error) {
    await release();
    throw error;
  }
  if (!snapshot || !visible(snapshot)) {
    await release();
    return null;
  }
  return new TaskWatch(snapshot, changes, release);
}

const DONE = { done: true, value: undefined } as const;

/**
 * The snapshot, then each newer change, until a terminal state. A class rather than an async
 * generator: one lives per subscription, and a generator's suspended frame and wrappers cost more.
 * return() releases the channel at once, even while a next() waits for a change.
 */
class TaskWatch implements AsyncIterableIterator<TaskRecord> {
  private pending: TaskRecord | null;
  private lastSeq = -1;
  private endAfterLast = false;
  private ended = false;

  constructor(
    snapshot: TaskRecord,
    private readonly changes: AsyncIterator<TaskChange>,
    private readonly release: () => Promise<void>,
  ) {
    this.pending = snapshot;
  }

  async next(): Promise<IteratorResult<TaskRecord>> {
    if (this.ended || this.endAfterLast) return this.end();
    let record = this.pending;
    this.pending = null;
    while (!record) {
      const change = await this.changes.next();
      if (this.ended) return DONE;
      if (change.done || !change.value) return this.end(); // channel closed, or the task is gone
      if (change.value.seq > this.lastSeq) record = change.value;
    }
    this.lastSeq = record.seq;
    this.endAfterLast = isTerminal(record.state);
    return { done: false, value: record };
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

  private async end(): Promise<IteratorResult<TaskRecord>> {
    if (!this.ended) {
      this.ended = true;
      await this.release();
    }
    return DONE;
  }
}
