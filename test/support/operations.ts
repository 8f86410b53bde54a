/** The GraphQL operations the tests send, as a client would write them. */

const COMMON_FIELDS =
  'id name state progress current total worker attempts error version createdAt startedAt finishedAt expiresAt';
const SLEEP_FIELDS = 'duration result { status }';
const CALCULATION_FIELDS = 'numbers operation result { operation value count }';

export const TASK_FIELDS = `${COMMON_FIELDS}
  ... on SleepTask { ${SLEEP_FIELDS} }
  ... on CalculationTask { ${CALCULATION_FIELDS} }`;

export const CREATE_SLEEP = `mutation ($input: CreateSleepTaskInput!) {
  createSleepTask(input: $input) { ${COMMON_FIELDS} ${SLEEP_FIELDS} }
}`;
export const CREATE_CALCULATION = `mutation ($input: CreateCalculationTaskInput!) {
  createCalculationTask(input: $input) { ${COMMON_FIELDS} ${CALCULATION_FIELDS} }
}`;
export const GET_TASK = `query ($id: ID!) { task(id: $id) { ${TASK_FIELDS} } }`;
export const LIST_TASKS = `query ($first: Int, $after: String, $state: TaskState, $name: String) {
  tasks(first: $first, after: $after, state: $state, name: $name) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id name state createdAt }
  }
}`;
export const CANCEL_TASK = `mutation ($id: ID!) { cancelTask(id: $id) { ${TASK_FIELDS} } }`;
export const DELETE_TASK = `mutation ($id: ID!) { deleteTask(id: $id) }`;
export const TASK_PROGRESS = `subscription ($id: ID!) { taskProgress(id: $id) { ${TASK_FIELDS} } }`;
export const TASK_UPDATED = `subscription { taskUpdated { ${TASK_FIELDS} } }`;
export const WORKERS = `{ workers { id name concurrency startedAt uptime taskNames activeTasks } }`;
export const RETRY_TASK = `mutation ($id: ID!) { retryTask(id: $id) { ${TASK_FIELDS} retryOf } }`;
export const GET_TIMELINE = `query ($id: ID!) {
  task(id: $id) { id state retryOf timeline { at state current total attempt message } }
}`;
export const TASK_HISTORY = `query ($minutes: Int) { taskHistory(minutes: $minutes) { at completed failed backlog } }`;
export const WORKERS_CHANGED = `subscription { workersChanged { name concurrency startedAt uptime taskNames activeTasks } }`;
export const QUEUES = `{ queues { name prefix partition paused waiting prioritized delayed active completed failed } }`;

export interface TaskEventData {
  at: string;
  state: string;
  current: number | null;
  total: number | null;
  attempt: number | null;
  message: string | null;
}

export interface TaskMinuteData {
  at: string;
  completed: number;
  failed: number;
  backlog: number | null;
}

export interface TaskData {
  id: string;
  name: string;
  state: string;
  progress: number;
  current: number;
  total: number;
  worker: string | null;
  attempts: number;
  error: string | null;
  version: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string | null;
  duration?: number;
  numbers?: number[];
  operation?: string;
  result?: Record<string, unknown> | null;
  retryOf?: string | null;
}
