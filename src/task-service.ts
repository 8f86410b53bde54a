import type { Queue } from 'bullmq';
import { enqueueTask } from '../core/enqueue-task.js';
import type { Keys } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import type { TaskKind } from '../core/task-kinds/index.js';
import type { TaskRecord } from '../core/task-record.js';
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
  /** `client` is who asks (see client-address.ts), for the creation rate limit. */
  create(kind: TaskKind, input: unknown, client: string): Promise<TaskView>;
  get(id: string): Promise<TaskView | null>;
  list(query: TaskListQuery): Promise<TaskConnectionView>;
  cancel(id: string): Promise<TaskView>;
  remove(id: string): Promise<boolean>;
  /** Snapshot first, then every change; ends after the terminal state. */
  watch(id: string): Promise<AsyncIterableIterator<TaskRecord>>;
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

  /** BullMQ refuses to remove a job a worker holds; that worker then sees the task's state and stops. */
  const removeJob = (id: string) =>
    queue.remove(id).catch((error: Error) => logger.debug({ taskId: id, err: error.message }, 'job not removed'));

  return {
    allTasksChannel: keys.allTasksChannel,

    async create(kind, rawInput, client) {
      const parsed = kind.input.safeParse(rawInput);
      if (!parsed.success) throw badUserInput('input', zodIssues(parsed.error));
      const allowed = await createLimiter.take(client);
      if (!allowed.allowed) {
        logger.debug({ client, task: kind.name }, 'task creation rate limited');
        throw rateLimited('tasks created', allowed.retryAfterSeconds);
      }
      const record = await enqueueTask({ store, queue }, kind, parsed.data, resultTtlSeconds);
      logger.info({ taskId: record.id, task: kind.name }, 'task queued');
      return toTaskView(record);
    },

    async get(id) {
      if (!isTaskId(id)) return null;
      const record = await store.get(id);
      return record && toTaskView(record);
    },

    async list({ first, after, state, name }) {
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
        throw badUserInput('first', [{ path: [], message: `must be between 1 and ${MAX_PAGE_SIZE}` }]);
      }
      if (name != null && !taskKindApis[name]) {
        const names = Object.keys(taskKindApis).join(', ');
        throw badUserInput('name', [{ path: [], message: `must be one of ${names}` }]);
      }
      if (state != null && !isTaskState(state)) throw badUserInput('state', [{ path: [], message: 'unknown state' }]);
      try {
        const page = await store.page({ first, after, state, name });
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

    async cancel(id) {
      const record = isTaskId(id) ? await store.cancel(id) : null;
      if (!record) throw notFound(id);
      if (record.state === 'CANCELLED') await removeJob(id);
      logger.info({ taskId: id, state: record.state }, 'cancel asked');
      return toTaskView(record);
    },

    async remove(id) {
      if (!isTaskId(id) || !(await store.remove(id))) throw notFound(id);
      await removeJob(id);
      logger.info({ taskId: id }, 'task deleted');
      return true;
    },

    async watch(id) {
      const changes = isTaskId(id) ? await watchTask(id, { pubsub, store, keys }) : null;
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
