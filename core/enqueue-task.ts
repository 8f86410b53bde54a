import type { JobsOptions, Queue } from 'bullmq';
import { againOnNoScript } from './failover-errors.js';
import { idempotencyDigest } from './keys.js';
import type { Partition, Partitions } from './partitions.js';
import type { TaskKind } from './task-kinds/index.js';
import type { InputOf } from './task-definition.js';
import type { TaskRecord } from './task-record.js';
import type { CreateAnswer, IdempotencyHold, NewTask, TaskStore } from './task-store.js';
import { inSpan } from './tracing.js';
import { TooManyWaitingError, waitingShare } from './waiting.js';

/**
 * What a new task's record holds from the start, as the store takes it (a `runAt` already past
 * starts it at once); the idempotency key as the caller gave it, with a digest of what it asks for
 * (`request`: kind, input and options), how long the key is kept, and the hold admission took on it
 * (`held`: the task it names, and the id this create takes when it is the one the key was held for).
 */
export type EnqueueOptions = Pick<NewTask, 'ttlMs' | 'owner'> &
  Partial<Pick<NewTask, 'retryOf' | 'runAt' | 'priority' | 'timeoutSeconds' | 'scheduleId'>> & {
    idempotency?: {
      key: string;
      request: string;
      ttlMs: number;
      held?: Pick<IdempotencyHold, 'taskId' | 'newTaskId'> | null;
    } | null;
    /**
     * Whom the task waits for (core/waiting.ts) and how many tasks that one may have waiting
     * (MAX_WAITING_PER_OWNER; null for no bound): TooManyWaitingError when every partition's share
     * of it is full.
     */
    waiting?: { waiter: string; maxPerOwner: number | null } | null;
  };

export interface TaskQueues {
  store: TaskStore;
  partitions: Partitions;
  /** Each partition's queue, by its index. */
  queues: readonly Queue[];
}

/** The most urgent priority is 1; the least urgent a client may ask for is this. */
export const MAX_PRIORITY = 1000;

/**
 * BullMQ takes jobs without a priority before prioritized ones: every task is given one, and a
 * task without one the lowest, so that it starts after those with one. Equal priorities start in
 * the order they were added (BullMQ's priority counter).
 */
const UNPRIORITIZED = MAX_PRIORITY + 1;

/**
 * Creates a task's record, then its job in its partition's queue (the job id is the task id, its
 * name the kind, its data the input). The record comes first, so a worker never takes a job whose
 * task it cannot find; a job that cannot be added takes its record back with it. The input must
 * have been checked.
 *
 * A create with an idempotency key goes to the partition the key's digest names, where the key is
 * kept beside the task: a second create with it finds the first task there and adds no job.
 */
export async function enqueue<Kind extends TaskKind>(
  { store, partitions, queues }: TaskQueues,
  kind: Kind,
  input: InputOf<Kind>,
  options: EnqueueOptions,
): Promise<CreateAnswer> {
  const { ttlMs, owner, idempotency, waiting } = options;
  const digest = idempotency ? idempotencyDigest(owner, idempotency.key) : null;
  // The id an admitted operation holds the key for, in the key's partition.
  const heldId = idempotency?.held?.newTaskId;
  const first = heldId
    ? partitions.ofTask(heldId)!
    : partitions.newTask(digest ? partitions.ofKey(digest) : undefined).partition;
  const now = Date.now();
  const runAt = options.runAt != null && options.runAt > now ? options.runAt : null;

  /** The record, in `partition`: TooManyWaitingError when its waiter's share there is full. */
  const createIn = (partition: Partition) => {
    const id = heldId ?? partitions.newTask(partition).id;
    const max =
      waiting?.maxPerOwner == null ? null : waitingShare(waiting.maxPerOwner, partitions.count, partition.index);
    return store.create({
      id,
      name: kind.name,
      total: kind.steps(input),
      input,
      ttlMs,
      owner,
      retryOf: options.retryOf,
      runAt,
      priority: options.priority,
      timeoutSeconds: options.timeoutSeconds,
      scheduleId: options.scheduleId,
      idempotency:
        digest && idempotency
          ? { digest, request: idempotency.request, ttlMs: idempotency.ttlMs, taskId: idempotency.held?.taskId }
          : null,
      waiting: waiting && { waiter: waiting.waiter, max },
    });
  };

  // The trace's link from the operation to the worker: BullMQ's `add` under it carries it on.
  return inSpan(`enqueue ${kind.name}`, { attributes: { 'task.kind': kind.name } }, async (span) => {
    // A bounded waiter is refused only when every partition's share is full (core/waiting.ts).
    const tried = digest || waiting?.maxPerOwner == null ? [first] : inTurnFrom(partitions, first);
    let answer: CreateAnswer | null = null;
    for (const partition of tried) {
      try {
        answer = await createIn(partition);
        break;
      } catch (error) {
        if (!(error instanceof TooManyWaitingError)) throw error;
      }
    }
    if (!answer) throw new TooManyWaitingError(waiting!.maxPerOwner!);
    const id = answer.record.id;
    span.setAttribute('task.id', id);
    if (!answer.created) return answer;
    const queue = queues[partitions.ofTask(id)!.index]!;
    // A finished job stays as long as its task, for Bull Board and Taskforce to show: BullMQ
    // removes it by age when other jobs finish, and the API's sweep when its task expires.
    const keep = { age: Math.ceil(ttlMs / 1000) };
    const jobOptions: JobsOptions = {
      jobId: id,
      removeOnComplete: keep,
      removeOnFail: keep,
      attempts: kind.retry?.attempts ?? 1,
      priority: options.priority ?? UNPRIORITIZED,
      // BullMQ counts a delay from when it adds the job, after the record's write: counted from
      // then, the job is due at runAt however long that write took.
      ...(runAt !== null && { delay: Math.max(0, runAt - Date.now()) }),
      ...(kind.retry && { backoff: { type: 'exponential', delay: kind.retry.backoffMs } }),
    };
    try {
      await againOnNoScript(() => queue.add(kind.name, input, jobOptions));
    } catch (error) {
      await store.remove(answer.record).catch(() => undefined);
      throw error;
    }
    return answer;
  });
}

/** Every partition once, from `first` on. */
function inTurnFrom(partitions: Partitions, first: Partition): Partition[] {
  return partitions.all.map((_, i) => partitions.all[(first.index + i) % partitions.count]!);
}

/** enqueue, for a create without an idempotency key: the new task's record. */
export async function enqueueTask<Kind extends TaskKind>(
  queues: TaskQueues,
  kind: Kind,
  input: InputOf<Kind>,
  options: Omit<EnqueueOptions, 'idempotency'>,
): Promise<TaskRecord> {
  return (await enqueue(queues, kind, input, options)).record;
}
