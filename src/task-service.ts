import type { Queue } from 'bullmq';
import { enqueueTask } from '../core/enqueue-task.js';
import type { Keys } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { TaskKind } from '../core/task-kinds/index.js';
import type { TaskRecord } from '../core/task-record.js';
import type { Caller } from './graphql/context.js';
import { isTaskState, type TaskState } from '../core/task-state.js';
import { InvalidCursorError, type TaskStore } from '../core/task-store.js';
import type { WorkerInfo, WorkerRegistry } from '../core/worker-registry.js';
import { badUserInput, notFound, zodIssues } from './errors.js';
import { toTaskView } from './graphql/task-view.js';
import type { TaskView } from './graphql/task.type.js';
import { taskKindApis } from './graphql/task-kinds.js';
import type { TaskPubSub } from './pubsub.js';
import { rateLimited, type RateLimiter } from './rate-limiter.js';
import { watchTask } from './task-watch.js';

export const MAX_PAGE_SIZE = 100;

/** Task ids are UUIDs: anything else is unknown without asking Redis. */
const TASK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TaskListQuery {
  first: number;
  after?: string | null;
  state?: TaskState | null;
  name?: string | null;
}

export interface TaskConnectionView {
  nodes: TaskView[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** What the GraphQL operations do, apart from GraphQL: checks input, then calls the store and the queue. */
export interface TaskService {
  /**
   * Every method takes the caller: its address counts against the creation rate limit, and with
   * authentication on, a task of another owner is as unknown as one that does not exist.
   */
  create(kind: TaskKind, input: unknown, caller: Caller): Promise<TaskView>;
  get(id: string, caller: Caller): Promise<TaskView | null>;
  list(query: TaskListQuery, caller: Caller): Promise<TaskConnectionView>;
  cancel(id: string, caller: Caller): Promise<TaskView>;
  remove(id: string, caller: Caller): Promise<boolean>;
  /** Snapshot first, then every change; ends after the terminal state. */
  watch(id: string, caller: Caller): Promise<AsyncIterableIterator<TaskRecord>>;
  workers(): Promise<(WorkerInfo & { uptime: number })[]>;
  /** The channel `taskUpdated` listens to. */
  allTasksChannel: string;
}

export interface TaskServiceOptions {
  store: TaskStore;
  queue: Queue;
  registry: WorkerRegistry;
  pubsub: TaskPubSub;
  keys: Keys;
  /** Seconds a finished task is kept; fixed per task when it is created. */
  resultTtlSeconds: number;
  /** Tasks each client may create; only valid input is counted, and nothing is enqueued past it. */
  createLimiter: RateLimiter;
  logger: Logger;
}

export function createTaskService({
  store,
  queue,
  registry,
  pubsub,
  keys,
  resultTtlSeconds,
  createLimiter,
  logger,
}: TaskServiceOptions): TaskService {
  const isTaskId = (id: string) => TASK_ID.test(id);
  const visibleTo = (caller: Caller) => (record: TaskRecord) => caller.owner === null || record.owner === caller.owner;
  /** The task, when the caller may act on it: with authentication on, only one of its own tasks. */
  const touchable = async (id: string, caller: Caller) => {
    if (!isTaskId(id)) return null;
    const record = await store.get(id);
    return record && visibleTo(caller)(record) ? record : null;
  };

  /** BullMQ refuses to remove a job a worker holds; that worker then sees the task's state and stops. */
  const removeJob = (id: string) =>
    queue.remove(id).catch((error: Error) => logger.debug({ taskId: id, err: error.message }, 'job not removed'));

  return {
    allTasksChannel: keys.allTasksChannel,

    async create(kind, rawInput, { client, owner }) {
      const parsed = kind.input.safeParse(rawInput);
      if (!parsed.success) throw badUserInput('input', zodIssues(parsed.error));
      const allowed = await createLimiter.take(client);
      if (!allowed.allowed) {
        logger.debug({ client, task: kind.name }, 'task creation rate limited');
        throw rateLimited('tasks created', allowed.retryAfterSeconds);
      }
      const record = await enqueueTask({ store, queue }, kind, parsed.data, resultTtlSeconds, owner);
      logger.info({ taskId: record.id, task: kind.name }, 'task queued');
      return toTaskView(record);
    },

    async get(id, caller) {
      if (!isTaskId(id)) return null;
      const record = await store.get(id);
      return record && visibleTo(caller)(record) ? toTaskView(record) : null;
    },

    async list({ first, after, state, name }, { owner }) {
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
        throw badUserInput('first', [{ path: [], message: `must be between 1 and ${MAX_PAGE_SIZE}` }]);
      }
      if (name != null && !taskKindApis[name]) {
        const names = Object.keys(taskKindApis).join(', ');
        throw badUserInput('name', [{ path: [], message: `must be one of ${names}` }]);
      }
      if (state != null && !isTaskState(state)) throw badUserInput('state', [{ path: [], message: 'unknown state' }]);
      try {
        const page = await store.page({ first, after, state, name, owner });
        return {
          nodes: page.records.map(toTaskView),
          pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
          totalCount: page.totalCount,
        };
      } catch (error) {
        if (error instanceof InvalidCursorError) throw badUserInput('after', [{ path: [], message: error.message }]);
        throw error;
      }
    },

    async cancel(id, caller) {
      const task = await touchable(id, caller);
      const record = task ? await store.cancel(task) : null;
      if (!record) throw notFound(id);
      if (record.state === 'CANCELLED') await removeJob(id);
      logger.info({ taskId: id, state: record.state }, 'cancel asked');
      return toTaskView(record);
    },

    async remove(id, caller) {
      const task = await touchable(id, caller);
      if (!task || !(await store.remove(task))) throw notFound(id);
      await removeJob(id);
      logger.info({ taskId: id }, 'task deleted');
      return true;
    },

    async watch(id, caller) {
      const changes = isTaskId(id) ? await watchTask(id, { pubsub, store, keys, visible: visibleTo(caller) }) : null;
      if (!changes) throw notFound(id);
      return changes;
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
