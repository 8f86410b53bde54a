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

  async function* follow(first: TaskRecord): AsyncGenerator<TaskRecord> {
    try {
      let lastSeq = first.seq;
      yield first;
      if (isTerminal(first.state)) return;
      for await (const change of changes) {
        if (!change) return;
        if (change.seq <= lastSeq) continue;
        lastSeq = change.seq;
        yield change;
        if (isTerminal(change.state)) return;
      }
    } finally {
      await release();
    }
  }

  const generator = follow(snapshot);
  // A generator waiting inside `for await` only sees return() once another change arrives;
  // releasing the channel first ends that wait, so a closed subscription unsubscribes at once.
  // It also covers a generator that was never started, whose `finally` would never run.
  const iterator: AsyncIterableIterator<TaskRecord> = {
    next: () => generator.next(),
    async return() {
      await release();
      return generator.return(undefined);
    },
    async throw(error: unknown) {
      await release();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
