/* eslint-disable */
import * as types from './graphql.js';
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
    "\n  fragment CliTask on Task {\n    __typename\n    id\n    name\n    state\n    progress\n    current\n    total\n    worker\n    attempts\n    error\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    runAt\n    priority\n    timeoutSeconds\n    scheduleId\n    output\n    ... on SleepTask {\n      duration\n      result {\n        status\n      }\n    }\n    ... on CalculationTask {\n      operation\n      result {\n        operation\n        value\n        count\n      }\n    }\n  }\n": typeof types.CliTaskFragmentDoc,
    "\n  query CliTaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      isolation\n      inputSchema\n      resultSchema\n      progressSchema\n    }\n  }\n": typeof types.CliTaskKindsDocument,
    "\n  mutation CliCreateTask($kind: String!, $input: JSON!, $options: TaskOptionsInput) {\n    createTask(kind: $kind, input: $input, options: $options) {\n      ...CliTask\n    }\n  }\n": typeof types.CliCreateTaskDocument,
    "\n  query CliTasks($first: Int, $after: String, $state: TaskState, $name: String) {\n    tasks(first: $first, after: $after, state: $state, name: $name) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...CliTask\n      }\n    }\n  }\n": typeof types.CliTasksDocument,
    "\n  fragment CliQueue on TaskQueue {\n    name\n    prefix\n    partition\n    paused\n  }\n": typeof types.CliQueueFragmentDoc,
    "\n  query CliWorkers {\n    workers {\n      name\n      concurrency\n      startedAt\n      uptime\n      taskNames\n      activeTasks\n    }\n    queues {\n      ...CliQueue\n    }\n  }\n": typeof types.CliWorkersDocument,
    "\n  query CliQueues {\n    queues {\n      ...CliQueue\n      waiting\n      prioritized\n      delayed\n      active\n      completed\n      failed\n    }\n  }\n": typeof types.CliQueuesDocument,
    "\n  mutation CliCancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...CliTask\n    }\n  }\n": typeof types.CliCancelTaskDocument,
    "\n  mutation CliDeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n": typeof types.CliDeleteTaskDocument,
    "\n  subscription CliTaskProgress($id: ID!) {\n    taskProgress(id: $id) {\n      ...CliTask\n    }\n  }\n": typeof types.CliTaskProgressDocument,
    "\n  query CliTaskLogs($id: ID!) {\n    task(id: $id) {\n      id\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n": typeof types.CliTaskLogsDocument,
    "\n  fragment CliSchedule on TaskSchedule {\n    id\n    name\n    cron\n    everySeconds\n    timezone\n    nextRunAt\n    createdAt\n    lastTask {\n      id\n      state\n    }\n  }\n": typeof types.CliScheduleFragmentDoc,
    "\n  query CliTaskSchedules {\n    taskSchedules {\n      ...CliSchedule\n    }\n  }\n": typeof types.CliTaskSchedulesDocument,
    "\n  mutation CliCreateTaskSchedule($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {\n    createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) {\n      ...CliSchedule\n    }\n  }\n": typeof types.CliCreateTaskScheduleDocument,
    "\n  mutation CliDeleteTaskSchedule($id: ID!) {\n    deleteTaskSchedule(id: $id)\n  }\n": typeof types.CliDeleteTaskScheduleDocument,
};
const documents: Documents = {
    "\n  fragment CliTask on Task {\n    __typename\n    id\n    name\n    state\n    progress\n    current\n    total\n    worker\n    attempts\n    error\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    runAt\n    priority\n    timeoutSeconds\n    scheduleId\n    output\n    ... on SleepTask {\n      duration\n      result {\n        status\n      }\n    }\n    ... on CalculationTask {\n      operation\n      result {\n        operation\n        value\n        count\n      }\n    }\n  }\n": types.CliTaskFragmentDoc,
    "\n  query CliTaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      isolation\n      inputSchema\n      resultSchema\n      progressSchema\n    }\n  }\n": types.CliTaskKindsDocument,
    "\n  mutation CliCreateTask($kind: String!, $input: JSON!, $options: TaskOptionsInput) {\n    createTask(kind: $kind, input: $input, options: $options) {\n      ...CliTask\n    }\n  }\n": types.CliCreateTaskDocument,
    "\n  query CliTasks($first: Int, $after: String, $state: TaskState, $name: String) {\n    tasks(first: $first, after: $after, state: $state, name: $name) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...CliTask\n      }\n    }\n  }\n": types.CliTasksDocument,
    "\n  fragment CliQueue on TaskQueue {\n    name\n    prefix\n    partition\n    paused\n  }\n": types.CliQueueFragmentDoc,
    "\n  query CliWorkers {\n    workers {\n      name\n      concurrency\n      startedAt\n      uptime\n      taskNames\n      activeTasks\n    }\n    queues {\n      ...CliQueue\n    }\n  }\n": types.CliWorkersDocument,
    "\n  query CliQueues {\n    queues {\n      ...CliQueue\n      waiting\n      prioritized\n      delayed\n      active\n      completed\n      failed\n    }\n  }\n": types.CliQueuesDocument,
    "\n  mutation CliCancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...CliTask\n    }\n  }\n": types.CliCancelTaskDocument,
    "\n  mutation CliDeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n": types.CliDeleteTaskDocument,
    "\n  subscription CliTaskProgress($id: ID!) {\n    taskProgress(id: $id) {\n      ...CliTask\n    }\n  }\n": types.CliTaskProgressDocument,
    "\n  query CliTaskLogs($id: ID!) {\n    task(id: $id) {\n      id\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n": types.CliTaskLogsDocument,
    "\n  fragment CliSchedule on TaskSchedule {\n    id\n    name\n    cron\n    everySeconds\n    timezone\n    nextRunAt\n    createdAt\n    lastTask {\n      id\n      state\n    }\n  }\n": types.CliScheduleFragmentDoc,
    "\n  query CliTaskSchedules {\n    taskSchedules {\n      ...CliSchedule\n    }\n  }\n": types.CliTaskSchedulesDocument,
    "\n  mutation CliCreateTaskSchedule($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {\n    createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) {\n      ...CliSchedule\n    }\n  }\n": types.CliCreateTaskScheduleDocument,
    "\n  mutation CliDeleteTaskSchedule($id: ID!) {\n    deleteTaskSchedule(id: $id)\n  }\n": types.CliDeleteTaskScheduleDocument,
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
export function graphql(source: "\n  fragment CliTask on Task {\n    __typename\n    id\n    name\n    state\n    progress\n    current\n    total\n    worker\n    attempts\n    error\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    runAt\n    priority\n    timeoutSeconds\n    scheduleId\n    output\n    ... on SleepTask {\n      duration\n      result {\n        status\n      }\n    }\n    ... on CalculationTask {\n      operation\n      result {\n        operation\n        value\n        count\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment CliTask on Task {\n    __typename\n    id\n    name\n    state\n    progress\n    current\n    total\n    worker\n    attempts\n    error\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    runAt\n    priority\n    timeoutSeconds\n    scheduleId\n    output\n    ... on SleepTask {\n      duration\n      result {\n        status\n      }\n    }\n    ... on CalculationTask {\n      operation\n      result {\n        operation\n        value\n        count\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliTaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      isolation\n      inputSchema\n      resultSchema\n      progressSchema\n    }\n  }\n"): (typeof documents)["\n  query CliTaskKinds {\n    taskKinds {\n      name\n      typeName\n      description\n      isolation\n      inputSchema\n      resultSchema\n      progressSchema\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliCreateTask($kind: String!, $input: JSON!, $options: TaskOptionsInput) {\n    createTask(kind: $kind, input: $input, options: $options) {\n      ...CliTask\n    }\n  }\n"): (typeof documents)["\n  mutation CliCreateTask($kind: String!, $input: JSON!, $options: TaskOptionsInput) {\n    createTask(kind: $kind, input: $input, options: $options) {\n      ...CliTask\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliTasks($first: Int, $after: String, $state: TaskState, $name: String) {\n    tasks(first: $first, after: $after, state: $state, name: $name) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...CliTask\n      }\n    }\n  }\n"): (typeof documents)["\n  query CliTasks($first: Int, $after: String, $state: TaskState, $name: String) {\n    tasks(first: $first, after: $after, state: $state, name: $name) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...CliTask\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CliQueue on TaskQueue {\n    name\n    prefix\n    partition\n    paused\n  }\n"): (typeof documents)["\n  fragment CliQueue on TaskQueue {\n    name\n    prefix\n    partition\n    paused\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliWorkers {\n    workers {\n      name\n      concurrency\n      startedAt\n      uptime\n      taskNames\n      activeTasks\n    }\n    queues {\n      ...CliQueue\n    }\n  }\n"): (typeof documents)["\n  query CliWorkers {\n    workers {\n      name\n      concurrency\n      startedAt\n      uptime\n      taskNames\n      activeTasks\n    }\n    queues {\n      ...CliQueue\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliQueues {\n    queues {\n      ...CliQueue\n      waiting\n      prioritized\n      delayed\n      active\n      completed\n      failed\n    }\n  }\n"): (typeof documents)["\n  query CliQueues {\n    queues {\n      ...CliQueue\n      waiting\n      prioritized\n      delayed\n      active\n      completed\n      failed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliCancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...CliTask\n    }\n  }\n"): (typeof documents)["\n  mutation CliCancelTask($id: ID!) {\n    cancelTask(id: $id) {\n      ...CliTask\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliDeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n"): (typeof documents)["\n  mutation CliDeleteTask($id: ID!) {\n    deleteTask(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CliTaskProgress($id: ID!) {\n    taskProgress(id: $id) {\n      ...CliTask\n    }\n  }\n"): (typeof documents)["\n  subscription CliTaskProgress($id: ID!) {\n    taskProgress(id: $id) {\n      ...CliTask\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliTaskLogs($id: ID!) {\n    task(id: $id) {\n      id\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  query CliTaskLogs($id: ID!) {\n    task(id: $id) {\n      id\n      logs(last: 100) {\n        at\n        level\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CliSchedule on TaskSchedule {\n    id\n    name\n    cron\n    everySeconds\n    timezone\n    nextRunAt\n    createdAt\n    lastTask {\n      id\n      state\n    }\n  }\n"): (typeof documents)["\n  fragment CliSchedule on TaskSchedule {\n    id\n    name\n    cron\n    everySeconds\n    timezone\n    nextRunAt\n    createdAt\n    lastTask {\n      id\n      state\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CliTaskSchedules {\n    taskSchedules {\n      ...CliSchedule\n    }\n  }\n"): (typeof documents)["\n  query CliTaskSchedules {\n    taskSchedules {\n      ...CliSchedule\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliCreateTaskSchedule($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {\n    createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) {\n      ...CliSchedule\n    }\n  }\n"): (typeof documents)["\n  mutation CliCreateTaskSchedule($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {\n    createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) {\n      ...CliSchedule\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CliDeleteTaskSchedule($id: ID!) {\n    deleteTaskSchedule(id: $id)\n  }\n"): (typeof documents)["\n  mutation CliDeleteTaskSchedule($id: ID!) {\n    deleteTaskSchedule(id: $id)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;