import type { Queue } from 'bullmq';
import { enqueueTask } from '../../core/enqueue-task.js';
import { MAX_PAGE_SIZE } from '../../core/limits.js';
import type { Logger } from '../../core/logger.js';
import type { Partitions } from '../../core/partitions.js';
import { taskKindNamed, type TaskKind } from '../../core/task-kinds/index.js';
import { isDeletedMarker, parseTaskHash, type TaskHash, type TaskRecord } from '../../core/task-record.js';
import { isTaskState, isTerminal, type TaskState } from '../../core/task-state.js';
import { InvalidCursorError, type TaskStore } from '../../core/task-store.js';
import type { WorkerInfo, WorkerRegistry } from '../../core/worker-registry.js';
import { badUserInput, notFound, rateLimited, zodIssues } from '../errors.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Caller } from './caller.js';
import type { TaskPubSub } from './pubsub.js';
import { TaskFeed } from './task-feed.js';
import { watchTask } from './task-watch.js';

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

export interface LiveWorker extends WorkerInfo {
  /** Seconds since it started. */
  uptime: number;
}

/** One task an operation asks to create: its kind and its input as the client sent it. */
export interface CreateRequest {
  kind: TaskKind;
  input: unknown;
  /** Where it stands in the operation (its response key), to name it in an error. */
  label?: string;
}

/**
 * What the service does with tasks, apart from any transport: it checks input, keeps each caller
 * to its own tasks, and calls the store and the queue. It answers task records; the GraphQL layer
 * maps them to its types.
 *
 * With authentication on, a task of another owner is as unknown as one that does not exist, in
 * every method: `sees` is the one place that decides it.
 */
export interface TaskService {
  /**
   * Admits the creations of one operation together, before any of them runs: every input is valid,
   * and the caller's creation allowance covers them all; or nothing is taken and this throws
   * BAD_USER_INPUT (naming every bad field) or RATE_LIMITED.
   */
  admit(creates: readonly CreateRequest[], caller: Caller): Promise<void>;
  /** Creates a task whose creation was admitted. */
  create(kind: TaskKind, input: unknown, caller: Caller): Promise<TaskRecord>;
  get(id: string, caller: Caller): Promise<TaskRecord | null>;
  list(query: TaskListQuery, caller: Caller): Promise<TaskList>;
  cancel(id: string, caller: Caller): Promise<TaskRecord>;
  remove(id: string, caller: Caller): Promise<true>;
  /** The task as it is, then every newer change; ends after the terminal state. NOT_FOUND when unknown. */
  watch(id: string, caller: Caller): Promise<AsyncIterableIterator<TaskRecord>>;
  /** Every change of every task the caller sees, once Redis has confirmed the subscription. */
  watchAll(caller: Caller): Promise<AsyncIterableIterator<TaskRecord>>;
  workers(): Promise<LiveWorker[]>;
}

export interface TaskServiceOptions {
  store: TaskStore;
  partitions: Partitions;
  /** Each partition's queue, by its index. */
  queues: readonly Queue[];
  registry: WorkerRegistry;
  pubsub: TaskPubSub;
  /** How long a finished task is kept; fixed per task when it is created. */
  resultTtlMs: number;
  /** Tasks each client may create; only valid input is counted, and nothing is enqueued past it. */
  createLimiter: RateLimiter;
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

function checkedInput(kind: TaskKind, input: unknown, label?: string) {
  const parsed = kind.input.safeParse(input);
  if (parsed.success) return { value: parsed.data, issues: [] };
  const issues = zodIssues(parsed.error).map((issue) => ({ ...issue, label }));
  return { value: undefined, issues };
}

export function createTaskService({
  store,
  partitions,
  queues,
  registry,
  pubsub,
  resultTtlMs,
  createLimiter,
  metrics,
  logger,
}: TaskServiceOptions): TaskService {
  /** The task with this id if the caller may see it, else null. */
  const visible = async (id: string, caller: Caller) => {
    // An id that names no partition is unknown without asking Redis.
    if (!partitions.ofTask(id)) return null;
    const record = await store.get(id);
    return record && sees(caller, record) ? record : null;
  };

  /** BullMQ refuses to remove a job a worker holds; that worker then sees the task's state and stops. */
  const removeJob = (id: string) =>
    queues[partitions.ofTask(id)!.index]!.remove(id).catch((error: Error) =>
      logger.debug({ taskId: id, err: error.message }, 'job not removed'),
    );

  return {
    async admit(creates, caller) {
      if (creates.length === 0) return;
      const issues = creates.flatMap(({ kind, input, label }) => checkedInput(kind, input, label).issues);
      if (issues.length > 0) throw badUserInput('input', issues);
      const allowed = await createLimiter.take(caller.client, creates.length);
      if (!allowed.allowed) {
        logger.debug({ client: caller.client, tasks: creates.length }, 'task creation rate limited');
        throw rateLimited('tasks created', allowed.retryAfterSeconds);
      }
    },

    async create(kind, rawInput, caller) {
      const { value: input, issues } = checkedInput(kind, rawInput);
      if (issues.length > 0) throw badUserInput('input', issues);
      const record = await enqueueTask({ store, partitions, queues }, kind, input, {
        ttlMs: resultTtlMs,
        owner: caller.owner,
      });
      metrics.taskCreated(kind.name);
      logger.info({ taskId: record.id, task: kind.name }, 'task queued');
      return record;
    },

    get: visible,

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
      const now = Date.now();
      return (await registry.list()).map((worker) => ({
        ...worker,
        uptime: Math.floor((now - worker.startedAt.getTime()) / 1000),
      }));
    },
  };
}
