/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment TaskFields on Task {\n    __typename\n    id\n    name\n    state\n    progress\n    current\n    total\n    worker\n    attempts\n    error\n    version\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    runAt\n    priority\n    timeoutSeconds\n    scheduleId\n    output\n  }\n": typeof types.TaskFieldsFragmentDoc,
    "\n  query Tasks($after: String, $state: TaskState, $name: String) {\n    tasks(first: 20, after: $after, state: $state, name: $name) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...TaskFields\n      }\n    }\n  }\n": typeof types.TasksDocument,
    "\n  subscription WorkersChanged {\n    workersChanged {\n      id\n      name\n      concurrency\n      startedAt\n      uptime\n      taskNames\n      activeTasks\n    }\n  }\n": typeof types.WorkersChangedDocument,
    "\n  query Queues {\n    queues {\n      name\n      prefix\n      partition\n      paused\n    }\n  }\n": typeof types.QueuesDocument,
    "\n  query TaskHistory($minutes: Int) {\n    taskHistory(minutes: $minutes) {\n      at\n      completed\n      failed\n      backlog\n    }\n  }\n": typeof types.TaskHistoryDocument,
    "\n  query TaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      isolation\n      inputSchema\n      resultSchema\n    }\n  }\n": typeof types.TaskKindsDocument,
    "\n  mutation CreateTask($kind: String!, $input: JSON!, $options: TaskOptionsInput) {\n    createTask(kind: $kind, input: $input, options: $options) {\n      ...TaskFields\n    }\n  }\n": typeof types.CreateTaskDocument,
    "\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n": typeof types.CancelTaskDocument,
    "\n  mutation RetryTask($id: ID!) {\n    retryTask(id: $id) {\n      ...TaskFields\n      retryOf\n    }\n  }\n": typeof types.RetryTaskDocument,
    "\n  mutation DeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n": typeof types.DeleteTaskDocument,
    "\n  subscription TaskProgress($id: ID!) {\n    taskProgress(id: $id) {\n      ...TaskFields\n    }\n  }\n": typeof types.TaskProgressDocument,
    "\n  subscription TaskDetail($id: ID!) {\n    taskProgress(id: $id) {\n      ...TaskFields\n      input\n      retryOf\n      timeline {\n        at\n        state\n        current\n        total\n        attempt\n        message\n      }\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n": typeof types.TaskDetailDocument,
    "\n  query TaskLogs($id: ID!) {\n    task(id: $id) {\n      id\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n": typeof types.TaskLogsDocument,
    "\n  subscription TaskUpdated {\n    taskUpdated {\n      ...TaskFields\n    }\n  }\n": typeof types.TaskUpdatedDocument,
    "\n  fragment ScheduleFields on TaskSchedule {\n    id\n    name\n    cron\n    everySeconds\n    timezone\n    nextRunAt\n    createdAt\n    lastTask {\n      __typename\n      id\n      state\n      version\n    }\n  }\n": typeof types.ScheduleFieldsFragmentDoc,
    "\n  query TaskSchedules {\n    taskSchedules {\n      ...ScheduleFields\n    }\n  }\n": typeof types.TaskSchedulesDocument,
    "\n  mutation CreateTaskSchedule($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {\n    createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) {\n      ...ScheduleFields\n    }\n  }\n": typeof types.CreateTaskScheduleDocument,
    "\n  mutation DeleteTaskSchedule($id: ID!) {\n    deleteTaskSchedule(id: $id)\n  }\n": typeof types.DeleteTaskScheduleDocument,
    "\n  query PlaygroundTaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      inputSchema\n      resultSchema\n      progressSchema\n    }\n  }\n": typeof types.PlaygroundTaskKindsDocument,
};
const documents: Documents = {
    "\n  fragment TaskFields on Task {\n    __typename\n    id\n    name\n    state\n    progress\n    current\n    total\n    worker\n    attempts\n    error\n    version\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    runAt\n    priority\n    timeoutSeconds\n    scheduleId\n    output\n  }\n": types.TaskFieldsFragmentDoc,
    "\n  query Tasks($after: String, $state: TaskState, $name: String) {\n    tasks(first: 20, after: $after, state: $state, name: $name) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...TaskFields\n      }\n    }\n  }\n": types.TasksDocument,
    "\n  subscription WorkersChanged {\n    workersChanged {\n      id\n      name\n      concurrency\n      startedAt\n      uptime\n      taskNames\n      activeTasks\n    }\n  }\n": types.WorkersChangedDocument,
    "\n  query Queues {\n    queues {\n      name\n      prefix\n      partition\n      paused\n    }\n  }\n": types.QueuesDocument,
    "\n  query TaskHistory($minutes: Int) {\n    taskHistory(minutes: $minutes) {\n      at\n      completed\n      failed\n      backlog\n    }\n  }\n": types.TaskHistoryDocument,
    "\n  query TaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      isolation\n      inputSchema\n      resultSchema\n    }\n  }\n": types.TaskKindsDocument,
    "\n  mutation CreateTask($kind: String!, $input: JSON!, $options: TaskOptionsInput) {\n    createTask(kind: $kind, input: $input, options: $options) {\n      ...TaskFields\n    }\n  }\n": types.CreateTaskDocument,
    "\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n": types.CancelTaskDocument,
    "\n  mutation RetryTask($id: ID!) {\n    retryTask(id: $id) {\n      ...TaskFields\n      retryOf\n    }\n  }\n": types.RetryTaskDocument,
    "\n  mutation DeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n": types.DeleteTaskDocument,
    "\n  subscription TaskProgress($id: ID!) {\n    taskProgress(id: $id) {\n      ...TaskFields\n    }\n  }\n": types.TaskProgressDocument,
    "\n  subscription TaskDetail($id: ID!) {\n    taskProgress(id: $id) {\n      ...TaskFields\n      input\n      retryOf\n      timeline {\n        at\n        state\n        current\n        total\n        attempt\n        message\n      }\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n": types.TaskDetailDocument,
    "\n  query TaskLogs($id: ID!) {\n    task(id: $id) {\n      id\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n": types.TaskLogsDocument,
    "\n  subscription TaskUpdated {\n    taskUpdated {\n      ...TaskFields\n    }\n  }\n": types.TaskUpdatedDocument,
    "\n  fragment ScheduleFields on TaskSchedule {\n    id\n    name\n    cron\n    everySeconds\n    timezone\n    nextRunAt\n    createdAt\n    lastTask {\n      __typename\n      id\n      state\n      version\n    }\n  }\n": types.ScheduleFieldsFragmentDoc,
    "\n  query TaskSchedules {\n    taskSchedules {\n      ...ScheduleFields\n    }\n  }\n": types.TaskSchedulesDocument,
    "\n  mutation CreateTaskSchedule($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {\n    createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) {\n      ...ScheduleFields\n    }\n  }\n": types.CreateTaskScheduleDocument,
    "\n  mutation DeleteTaskSchedule($id: ID!) {\n    deleteTaskSchedule(id: $id)\n  }\n": types.DeleteTaskScheduleDocument,
    "\n  query PlaygroundTaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      inputSchema\n      resultSchema\n      progressSchema\n    }\n  }\n": types.PlaygroundTaskKindsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TaskFields on Task {\n    __typename\n    id\n    name\n    state\n    progress\n    current\n    total\n    worker\n    attempts\n    error\n    version\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    runAt\n    priority\n    timeoutSeconds\n    scheduleId\n    output\n  }\n"): (typeof documents)["\n  fragment TaskFields on Task {\n    __typename\n    id\n    name\n    state\n    progress\n    current\n    total\n    worker\n    attempts\n    error\n    version\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    runAt\n    priority\n    timeoutSeconds\n    scheduleId\n    output\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Tasks($after: String, $state: TaskState, $name: String) {\n    tasks(first: 20, after: $after, state: $state, name: $name) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...TaskFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Tasks($after: String, $state: TaskState, $name: String) {\n    tasks(first: 20, after: $after, state: $state, name: $name) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...TaskFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WorkersChanged {\n    workersChanged {\n      id\n      name\n      concurrency\n      startedAt\n      uptime\n      taskNames\n      activeTasks\n    }\n  }\n"): (typeof documents)["\n  subscription WorkersChanged {\n    workersChanged {\n      id\n      name\n      concurrency\n      startedAt\n      uptime\n      taskNames\n      activeTasks\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Queues {\n    queues {\n      name\n      prefix\n      partition\n      paused\n    }\n  }\n"): (typeof documents)["\n  query Queues {\n    queues {\n      name\n      prefix\n      partition\n      paused\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskHistory($minutes: Int) {\n    taskHistory(minutes: $minutes) {\n      at\n      completed\n      failed\n      backlog\n    }\n  }\n"): (typeof documents)["\n  query TaskHistory($minutes: Int) {\n    taskHistory(minutes: $minutes) {\n      at\n      completed\n      failed\n      backlog\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      isolation\n      inputSchema\n      resultSchema\n    }\n  }\n"): (typeof documents)["\n  query TaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      isolation\n      inputSchema\n      resultSchema\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTask($kind: String!, $input: JSON!, $options: TaskOptionsInput) {\n    createTask(kind: $kind, input: $input, options: $options) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateTask($kind: String!, $input: JSON!, $options: TaskOptionsInput) {\n    createTask(kind: $kind, input: $input, options: $options) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryTask($id: ID!) {\n    retryTask(id: $id) {\n      ...TaskFields\n      retryOf\n    }\n  }\n"): (typeof documents)["\n  mutation RetryTask($id: ID!) {\n    retryTask(id: $id) {\n      ...TaskFields\n      retryOf\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TaskProgress($id: ID!) {\n    taskProgress(id: $id) {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  subscription TaskProgress($id: ID!) {\n    taskProgress(id: $id) {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TaskDetail($id: ID!) {\n    taskProgress(id: $id) {\n      ...TaskFields\n      input\n      retryOf\n      timeline {\n        at\n        state\n        current\n        total\n        attempt\n        message\n      }\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription TaskDetail($id: ID!) {\n    taskProgress(id: $id) {\n      ...TaskFields\n      input\n      retryOf\n      timeline {\n        at\n        state\n        current\n        total\n        attempt\n        message\n      }\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskLogs($id: ID!) {\n    task(id: $id) {\n      id\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  query TaskLogs($id: ID!) {\n    task(id: $id) {\n      id\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TaskUpdated {\n    taskUpdated {\n      ...TaskFields\n    }\n  }\n"): (typeof documents)["\n  subscription TaskUpdated {\n    taskUpdated {\n      ...TaskFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ScheduleFields on TaskSchedule {\n    id\n    name\n    cron\n    everySeconds\n    timezone\n    nextRunAt\n    createdAt\n    lastTask {\n      __typename\n      id\n      state\n      version\n    }\n  }\n"): (typeof documents)["\n  fragment ScheduleFields on TaskSchedule {\n    id\n    name\n    cron\n    everySeconds\n    timezone\n    nextRunAt\n    createdAt\n    lastTask {\n      __typename\n      id\n      state\n      version\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskSchedules {\n    taskSchedules {\n      ...ScheduleFields\n    }\n  }\n"): (typeof documents)["\n  query TaskSchedules {\n    taskSchedules {\n      ...ScheduleFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTaskSchedule($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {\n    createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) {\n      ...ScheduleFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateTaskSchedule($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {\n    createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) {\n      ...ScheduleFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteTaskSchedule($id: ID!) {\n    deleteTaskSchedule(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteTaskSchedule($id: ID!) {\n    deleteTaskSchedule(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlaygroundTaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      inputSchema\n      resultSchema\n      progressSchema\n    }\n  }\n"): (typeof documents)["\n  query PlaygroundTaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      inputSchema\n      resultSchema\n      progressSchema\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;