import type { Queue } from 'bullmq';
import { LRUCache } from 'lru-cache';
import { enqueue, enqueueTask } from '../../core/enqueue-task.js';
import { againOnNoScript } from '../../core/failover-errors.js';
import { idempotencyDigest } from '../../core/keys.js';
import { MAX_LOG_LINES_READ, MAX_PAGE_SIZE } from '../../core/limits.js';
import type { Logger } from '../../core/logger.js';
import type { Partitions } from '../../core/partitions.js';
import { taskKindNamed, type TaskKind } from '../../core/task-kinds/index.js';
import { isDeletedMarker, parseTaskHash, type TaskHash, type TaskRecord } from '../../core/task-record.js';
import { isTaskState, isTerminal, type TaskState } from '../../core/task-state.js';
import {
  IdempotencyConflictError,
  InvalidCursorError,
  type TaskEvent,
  type TaskLogLine,
  type TaskStore,
} from '../../core/task-store.js';
import { TooManyWaitingError, waiterOf } from '../../core/waiting.js';
import type { WorkerRegistry } from '../../core/worker-registry.js';
import type { InputOf } from '../../core/task-definition.js';
import { badUserInput, idempotencyConflict, notFound, rateLimited, tooManyWaitingTasks, zodIssues } from '../errors.js';
import {
  ADMISSION_HOLD_MS,
  type AdmitsOperations,
  type AdmittedField,
  type AdmittedOperation,
} from './admitted-operation.js';
import { createOptionsChecker, requestDigest, type TaskOptionLimits, type TaskOptionsInput } from './task-options.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';
import type { RateLimiter } from '../../core/rate-limiter.js';
import { limitKey, type Caller } from './caller.js';
import type { TaskPubSub } from './pubsub.js';
import { TaskFeed } from './task-feed.js';
import { HISTORY_MINUTES, type HistoryMinute, type TaskHistory } from './task-history.js';
import { watchTask } from './task-watch.js';
import { liveWorkers, type LiveWorker, type WorkerFeed } from './worker-feed.js';
import { readQueueStates, type QueueState } from './queue-states.js';

export type { LiveWorker, QueueState };

export interface TaskListQuery {
  first: number;
  after?: string | null;
  state?: TaskState | null;
  name?: string | null;
}

export interface TaskList {
  records: TaskRecord[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * What one root field of a mutation asks of the tasks: a task to create, with its kind and input as
 * the client sent them; a schedule (its input is checked as a create's, and it takes a creation);
 * a task to retry (retryTask: a creation too, of that task's kind and input), cancel or delete.
 */
export type TaskRequest = {
  /** Where it stands in the operation (its response key): errors name it, and admission settles by it. */
  label: string;
} & (
  | { action: 'create'; kind: TaskKind; input: unknown; options?: TaskOptionsInput | null }
  | { action: 'schedule'; kind: TaskKind; input: unknown }
  | { action: 'retry' | 'cancel' | 'delete'; id: string }
);

/** Whether a request creates a task or a schedule, and so takes one of the caller's creation allowance. */
export const isCreation = ({ action }: TaskRequest) => action !== 'cancel' && action !== 'delete';

/**
 * What the service does with tasks, apart from any transport: it checks input, keeps each caller
 * to its own tasks, and calls the store and the queue. It answers task records; the GraphQL layer
 * maps them to its types.
 *
 * It admits a mutation's creations (input and options checked), and finds before any of them runs:
 * a task retried, cancelled or deleted that is not the caller's, or that a field before deletes
 * (NOT_FOUND); a retried one that has not ended or has completed (BAD_USER_INPUT); an idempotency
 * key another request has, or that the mutation gives two inputs (CONFLICT; every key is held for
 * the mutation); creations past the caller's allowance, taken for all of them in one step
 * (RATE_LIMITED).
 *
 * With authentication on, a task of another owner is as unknown as one that does not exist, in
 * every method: `sees` is the one place that decides it.
 */
export interface TaskService extends AdmitsOperations<TaskRequest> {
  /**
   * Creates a task whose creation was admitted (with the hold admission took on its idempotency
   * key). With an idempotency key already used by the caller for the same request, answers that
   * task and creates nothing; for another request, CONFLICT.
   */
  create(
    kind: TaskKind,
    input: unknown,
    caller: Caller,
    options?: TaskOptionsInput | null,
    admitted?: AdmittedField,
  ): Promise<TaskRecord>;
  /**
   * Creates a task of the same kind, input, priority and time limit as a FAILED or CANCELLED one,
   * its `retryOf`; admitted as a creation, which found the task (`admitted.retried`): the retry is
   * of the task as it was then. NOT_FOUND when unknown, BAD_USER_INPUT when it has not ended or has
   * completed.
   */
  retry(id: string, caller: Caller, admitted?: AdmittedField): Promise<TaskRecord>;
  get(id: string, caller: Caller): Promise<TaskRecord | null>;
  /**
   * The timeline of a task the caller has read (and so may see): its changes, oldest first, up to
   * the version read, so that a record and its timeline always agree.
   */
  timeline(task: TaskRecord | { id: string; version: number }): Promise<TaskEvent[]>;
  /** The newest `last` lines (1 to MAX_LOG_LINES_READ) of a task the caller has read, oldest first. */
  logs(task: { id: string }, last: number): Promise<TaskLogLine[]>;
  /** The service's last `minutes` minutes (1 to HISTORY_MINUTES), oldest first. */
  history(minutes: number): Promise<HistoryMinute[]>;
  list(query: TaskListQuery, caller: Caller): Promise<TaskList>;
  cancel(id: string, caller: Caller): Promise<TaskRecord>;
  remove(id: string, caller: Caller): Promise<true>;
  /** The task as it is, then every newer change; ends after the terminal state. NOT_FOUND when unknown. */
  watch(id: string, caller: Caller): Promise<AsyncIterableIterator<TaskRecord>>;
  /** Every change of every task the caller sees, once Redis has confirmed the subscription. */
  watchAll(caller: Caller): Promise<AsyncIterableIterator<TaskRecord>>;
  workers(): Promise<LiveWorker[]>;
  /** The live workers now, then the list each time it changes. */
  watchWorkers(): Promise<AsyncIterableIterator<LiveWorker[]>>;
  /**
   * Each partition's BullMQ queue: paused or not (queue.pause() from Bull Board, Taskforce or a
   * script stops every task of it from starting), and its job counts. The service's as a whole, as
   * `workers` is: every caller sees the same.
   */
  queues(): Promise<QueueState[]>;
}

export interface TaskServiceOptions {
  store: TaskStore;
  partitions: Partitions;
  /** Each partition's queue, by its index. */
  queues: readonly Queue[];
  registry: WorkerRegistry;
  /** The registry read once a second for every watcher of the workers. */
  workerFeed: WorkerFeed;
  history: TaskHistory;
  pubsub: TaskPubSub;
  /** How long a finished task is kept; fixed per task when it is created. */
  resultTtlMs: number;
  /** The bounds of a create's options. */
  optionLimits: TaskOptionLimits;
  /** Tasks each client may create; only valid input is counted, and nothing is enqueued past it. */
  createLimiter: RateLimiter;
  /** Tasks each owner (or address, without authentication) may have waiting at once (core/waiting.ts). */
  maxWaitingPerOwner: number;
  metrics: ApiMetrics;
  logger: Logger;
}

/** With authentication off (no owner), a caller sees every task. */
function sees(caller: Caller, record: TaskRecord): boolean {
  return caller.owner === null || record.owner === caller.owner;
}

/** A change on the all-tasks channel; the same message reaches every feed, so it is parsed once. */
const parsedChanges = new WeakMap<object, TaskRecord | null>();
function parseChange(message: unknown): TaskRecord | null {
  const hash = message as TaskHash;
  let record = parsedChanges.get(hash);
  if (record === undefined) {
    record = isDeletedMarker(hash) ? null : parseTaskHash(hash);
    parsedChanges.set(hash, record);
  }
  return record;
}

type Checked<Value> =
  | { value: Value; issues: [] }
  | { value: undefined; issues: (ReturnType<typeof zodIssues>[number] & { label?: string })[] };

function checkedInput(kind: TaskKind, input: unknown, label?: string): Checked<InputOf<TaskKind>> {
  const parsed = kind.input.safeParse(input);
  if (parsed.success) return { value: parsed.data, issues: [] };
  const issues = zodIssues(parsed.error).map((issue) => ({ ...issue, label }));
  return { value: undefined, issues };
}

/** Why a task cannot be retried, or null when it can: only a failed or cancelled task is. */
function notRetryable(record: TaskRecord): string | null {
  if (record.state === 'FAILED' || record.state === 'CANCELLED') return null;
  if (record.state === 'COMPLETED') return 'has completed: only a failed or cancelled task is retried';
  return `has not ended (it is ${record.state}): only a failed or cancelled task is retried`;
}

/**
 * Timelines of the tasks read lately, by id and version: a timeline changes only with its task's
 * version, so every subscriber that asks for it with the same change shares one read. Kept for
 * seconds, and bounded by the characters they hold (a timeline holds 100 entries at most).
 */
const TIMELINES_KEPT = { maxSize: 4_000_000, ttl: 10_000 };

/** About what a timeline holds in memory, in characters: what the cache of timelines is bounded by. */
const timelineSize = (events: readonly TaskEvent[]) =>
  events.reduce((size, event) => size + 100 + (event.message?.length ?? 0), 1);

export function createTaskService({
  store,
  partitions,
  queues,
  registry,
  workerFeed,
  history,
  pubsub,
  resultTtlMs,
  optionLimits,
  createLimiter,
  maxWaitingPerOwner,
  metrics,
  logger,
}: TaskServiceOptions): TaskService {
  const checkedOptions = createOptionsChecker(optionLimits);

  /** Whom a caller's tasks wait for, and the bound of it: what its creates are counted against. */
  const waitingFor = (caller: Caller) => ({
    waiter: waiterOf(caller.owner, caller.client),
    maxPerOwner: maxWaitingPerOwner,
  });
  /** A create refused by its partitions' shares of the bound (a concurrent operation filled them). */
  const waitingRefusal = (error: unknown) =>
    error instanceof TooManyWaitingError ? tooManyWaitingTasks(maxWaitingPerOwner) : error;

  /** The task with this id if the caller may see it, else null. */
  const visible = async (id: string, caller: Caller) => {
    // An id that names no partition is unknown without asking Redis.
    if (!partitions.ofTask(id)) return null;
    const record = await store.get(id);
    return record && sees(caller, record) ? record : null;
  };

  /** The task to retry, if the caller may see it and it may be retried; else the error to answer. */
  const retryable = async (id: string, caller: Caller) => {
    const record = await visible(id, caller);
    if (!record) throw notFound(id);
    const reason = notRetryable(record);
    if (reason) throw badUserInput('id', [{ path: [], message: `task ${id} ${reason}` }]);
    return record;
  };

  const timelines = new LRUCache<string, TaskEvent[]>({ ...TIMELINES_KEPT, sizeCalculation: timelineSize });
  /** Reads under way, shared by whoever asks meanwhile: as many as the requests being answered. */
  const readingTimelines = new Map<string, Promise<TaskEvent[]>>();

  /** BullMQ refuses to remove a job a worker holds; that worker then sees the task's state and stops. */
  const removeJob = (id: string) =>
    againOnNoScript(() => queues[partitions.ofTask(id)!.index]!.remove(id)).catch((error: Error) =>
      logger.debug({ taskId: id, err: error.message }, 'job not removed'),
    );

  /**
   * The tasks an operation retries, cancels or deletes, each as it will find it when its field runs:
   * read once each (in parallel), and unknown to every field after one that deletes it. Throws the
   * first field's error.
   */
  async function settleTargets(requests: readonly TaskRequest[], caller: Caller, admitted: AdmittedOperation) {
    const targets = requests.flatMap((request) => ('id' in request ? [request] : []));
    const found = new Map(
      await Promise.all(
        [...new Set(targets.map(({ id }) => id))].map(async (id) => [id, await visible(id, caller)] as const),
      ),
    );
    const deleted = new Set<string>();
    for (const { action, id, label } of targets) {
      const record = deleted.has(id) ? null : found.get(id);
      if (!record) throw notFound(id);
      if (action === 'delete') deleted.add(id);
      if (action !== 'retry') continue;
      const reason = notRetryable(record);
      if (reason) throw badUserInput('id', [{ path: [], message: `task ${id} ${reason}`, label }]);
      admitted.settle(label, { retried: record });
    }
  }

  /**
   * Holds every idempotency key of an operation's creates, each once: two creates of one request
   * share the key's task, two of different requests are a CONFLICT before anything runs.
   */
  async function holdKeys(requests: readonly TaskRequest[], caller: Caller, admitted: AdmittedOperation) {
    const byDigest = new Map<string, { key: string; request: string; labels: string[] }>();
    for (const request of requests) {
      if (request.action !== 'create') continue;
      const key = request.options?.idempotencyKey;
      if (!key) continue;
      const digest = idempotencyDigest(caller.owner, key);
      const asked = requestDigest(request.kind.name, parsedInputOf(request), request.options);
      const held = byDigest.get(digest);
      if (!held) byDigest.set(digest, { key, request: asked, labels: [request.label] });
      else if (held.request === asked) held.labels.push(request.label);
      else throw idempotencyConflict(key, null, request.label);
    }
    const until = Date.now() + ADMISSION_HOLD_MS;
    const holds = await Promise.allSettled(
      [...byDigest].map(async ([digest, { key, request, labels }]) => {
        try {
          const hold = await store.holdIdempotencyKey(digest, request, until);
          const taken = admitted.hold(() => store.releaseIdempotencyKey(hold));
          // The first create takes the task the key was held for; the others answer it.
          labels.forEach((label, i) =>
            admitted.settle(label, {
              idempotency: { taskId: hold.taskId, newTaskId: i === 0 ? hold.newTaskId : null, taken },
            }),
          );
        } catch (error) {
          if (error instanceof IdempotencyConflictError) throw idempotencyConflict(key, error.taskId, labels[0]);
          throw error;
        }
      }),
    );
    const refused = holds.find((hold) => hold.status === 'rejected');
    if (refused) throw refused.reason;
  }

  /** Each create's input as admission's check parsed it: the one parse of it in the API. */
  const parsedInputs = new WeakMap<TaskRequest, unknown>();
  const parsedInputOf = (request: TaskRequest & { kind: TaskKind; input: unknown }) =>
    parsedInputs.has(request) ? parsedInputs.get(request) : checkedInput(request.kind, request.input).value;

  return {
    check(requests) {
      const creates = requests.flatMap((request) =>
        request.action === 'create' || request.action === 'schedule' ? [request] : [],
      );
      const issues = creates.flatMap((request) => {
        const checked = checkedInput(request.kind, request.input, request.label);
        parsedInputs.set(request, checked.value);
        return checked.issues;
      });
      if (issues.length > 0) throw badUserInput('input', issues);
      const optionIssues = creates.flatMap((request) =>
        request.action === 'create' ? checkedOptions(request.options, request.label).issues : [],
      );
      if (optionIssues.length > 0) throw badUserInput('options', optionIssues);
    },

    async admit(requests, caller, admitted, alone) {
      for (const request of requests) {
        if (parsedInputs.has(request))
          admitted.settle(request.label, { parsedInput: { value: parsedInputs.get(request) } });
      }
      await settleTargets(requests, caller, admitted);
      if (!alone) await holdKeys(requests, caller, admitted);
      const creations = requests.filter(isCreation).length;
      if (creations === 0) return;
      // Checked before the allowance is spent: a refused operation costs none of it. A create alone
      // is refused by its own script (create.lua), creating nothing, for the allowance it took.
      const waiting = alone ? 0 : await store.waitingOf(waitingFor(caller).waiter);
      if (waiting + creations > maxWaitingPerOwner) {
        logger.debug({ client: caller.client, waiting, tasks: creations }, 'too many waiting tasks');
        throw tooManyWaitingTasks(maxWaitingPerOwner);
      }
      // The bucket its schedules' runs draw from too (worker/schedule-runs.ts).
      const allowed = await createLimiter.take(limitKey(caller), creations);
      if (!allowed.allowed) {
        logger.debug({ client: limitKey(caller), tasks: creations }, 'task creation rate limited');
        throw rateLimited('tasks created', allowed.retryAfterSeconds);
      }
    },

    async create(kind, rawInput, caller, rawOptions, admitted) {
      const { value: input, issues } = admitted?.parsedInput
        ? { value: admitted.parsedInput.value as InputOf<TaskKind>, issues: [] }
        : checkedInput(kind, rawInput);
      if (input === undefined) throw badUserInput('input', issues);
      const { value: options, issues: optionIssues } = checkedOptions(rawOptions);
      if (!options) throw badUserInput('options', optionIssues);
      const { idempotency, ...scheduling } = options;
      try {
        const { record, created } = await enqueue({ store, partitions, queues }, kind, input, {
          ...scheduling,
          ttlMs: resultTtlMs,
          owner: caller.owner,
          idempotency: idempotency && {
            ...idempotency,
            request: requestDigest(kind.name, input, rawOptions),
            held: admitted?.idempotency,
          },
          waiting: waitingFor(caller),
        });
        if (!created) {
          logger.debug({ taskId: record.id, task: kind.name }, 'idempotent create answered its first task');
          return record;
        }
        // Its key's entry now names this task, which a release would leave as it is: save the call.
        admitted?.idempotency?.taken?.();
        metrics.taskCreated(kind.name);
        logger.info({ taskId: record.id, task: kind.name }, 'task queued');
        return record;
      } catch (error) {
        if (error instanceof IdempotencyConflictError) throw idempotencyConflict(idempotency!.key, error.taskId);
        throw waitingRefusal(error);
      }
    },

    async retry(id, caller, admitted) {
      // Admitted with the task as it was then: one deleted by another request since is retried all
      // the same, as the fields before this one have run on the promise that this one would.
      const old = admitted?.retried ?? (await retryable(id, caller));
      const kind = taskKindNamed(old.name);
      if (!kind) throw new Error(`task ${id} has an unknown kind: ${old.name}`);
      const { value: input } = checkedInput(kind, old.input);
      if (input === undefined) throw new Error(`task ${id} holds input its kind no longer takes`);
      const record = await enqueueTask({ store, partitions, queues }, kind, input, {
        ttlMs: resultTtlMs,
        owner: caller.owner,
        retryOf: old.id,
        priority: old.priority,
        timeoutSeconds: old.timeoutSeconds,
        waiting: waitingFor(caller),
      }).catch((error: unknown) => {
        throw waitingRefusal(error);
      });
      metrics.taskCreated(kind.name);
      logger.info({ taskId: record.id, task: kind.name, retryOf: old.id }, 'task queued again');
      return record;
    },

    get: visible,

    async timeline(task) {
      const version = 'seq' in task ? task.seq : task.version;
      const key = `${task.id}:${version}`;
      const kept = timelines.get(key);
      if (kept) return kept;
      let read = readingTimelines.get(key);
      if (!read) {
        const events = store.timeline(task.id).then((all) => all.filter((event) => event.seq <= version));
        read = events.finally(() => readingTimelines.delete(key));
        readingTimelines.set(key, read);
        read.then(
          (timeline) => timelines.set(key, timeline),
          () => undefined,
        ); // a failed read is not kept
      }
      return read;
    },

    async logs(task, last) {
      if (!Number.isInteger(last) || last < 1 || last > MAX_LOG_LINES_READ) {
        throw badUserInput('last', [{ path: [], message: `must be between 1 and ${MAX_LOG_LINES_READ}` }]);
      }
      return store.logs(task.id, last);
    },

    async history(minutes) {
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > HISTORY_MINUTES) {
        throw badUserInput('minutes', [{ path: [], message: `must be between 1 and ${HISTORY_MINUTES}` }]);
      }
      return history.read(minutes);
    },

    async list({ first, after, state, name }, caller) {
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
        throw badUserInput('first', [{ path: [], message: `must be between 1 and ${MAX_PAGE_SIZE}` }]);
      }
      if (name != null && !taskKindNamed(name)) {
        throw badUserInput('name', [{ path: [], message: 'is not a kind of task' }]);
      }
      if (state != null && !isTaskState(state)) throw badUserInput('state', [{ path: [], message: 'unknown state' }]);
      try {
        // The owner's own indexes hold only the owner's tasks: the filter is in the index read.
        const page = await store.page({ first, after, state, name, owner: caller.owner });
        return { ...page, records: page.records.filter((record) => sees(caller, record)) };
      } catch (error) {
        if (error instanceof InvalidCursorError) throw badUserInput('after', [{ path: [], message: error.message }]);
        throw error;
      }
    },

    async cancel(id, caller) {
      const found = await visible(id, caller);
      const record = found && (await store.cancel(found));
      if (!record) throw notFound(id);
      if (record.state === 'CANCELLED' && found?.state === 'QUEUED') metrics.taskCancelled(record.name);
      if (record.state === 'CANCELLED') await removeJob(id);
      logger.info({ taskId: id, state: record.state }, 'cancel asked');
      return record;
    },

    async remove(id, caller) {
      const found = await visible(id, caller);
      if (!found || !(await store.remove(found))) throw notFound(id);
      if (!isTerminal(found.state)) metrics.taskCancelled(found.name); // the script cancels it first
      await removeJob(id);
      logger.info({ taskId: id }, 'task deleted');
      return true;
    },

    async watch(id, caller) {
      const partition = partitions.ofTask(id);
      const changes = partition
        ? await watchTask(id, {
            pubsub,
            store,
            keys: partition.keys,
            metrics,
            visible: (record) => sees(caller, record),
          })
        : null;
      if (!changes) throw notFound(id);
      return changes;
    },

    async watchAll(caller) {
      const channels = partitions.all.map(({ keys }) => keys.allTasksChannel);
      const feed = new TaskFeed(pubsub.subscribe(channels, parseChange), (record) => sees(caller, record), metrics);
      try {
        await feed.ready;
      } catch (error) {
        await feed.return();
        throw error;
      }
      return feed;
    },

    async workers() {
      return liveWorkers(await registry.list());
    },

    watchWorkers: () => workerFeed.watch(),

    queues: () => readQueueStates(queues, partitions),
  };
}
