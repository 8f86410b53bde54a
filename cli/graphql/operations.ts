import { graphql } from './generated/index.js';

/**
 * What the command line prints of a task: everything but its input (a calculation's numbers, up to
 * 100 each). Its result is printed from `output`, the JSON every kind answers, so a kind added after
 * this was generated prints its result too (format.ts). The fields of the kinds it was generated
 * with stay as they were in `--json`'s documents, which scripts read.
 */
export const CliTaskFields = graphql(`
  fragment CliTask on Task {
    __typename
    id
    name
    state
    progress
    current
    total
    worker
    attempts
    error
    createdAt
    startedAt
    finishedAt
    expiresAt
    runAt
    priority
    timeoutSeconds
    scheduleId
    output
    ... on SleepTask {
      duration
      result {
        status
      }
    }
    ... on CalculationTask {
      operation
      result {
        operation
        value
        count
      }
    }
  }
`);

/** Every kind the API runs, with the JSON Schema its input is checked by: what `create` and `kinds` read. */
export const TaskKindsQuery = graphql(`
  query CliTaskKinds {
    taskKinds {
      name
      typeName
      description
      isolation
      inputSchema
      resultSchema
      progressSchema
    }
  }
`);

/** A task of any kind: one document whatever the kinds, so that it can be a trusted document. */
export const CreateTaskMutation = graphql(`
  mutation CliCreateTask($kind: String!, $input: JSON!, $options: TaskOptionsInput) {
    createTask(kind: $kind, input: $input, options: $options) {
      ...CliTask
    }
  }
`);

export const TasksQuery = graphql(`
  query CliTasks($first: Int, $after: String, $state: TaskState, $name: String) {
    tasks(first: $first, after: $after, state: $state, name: $name) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...CliTask
      }
    }
  }
`);

/** What the command line says of a queue: which it is, and whether it is paused. */
export const CliQueueFields = graphql(`
  fragment CliQueue on TaskQueue {
    name
    prefix
    partition
    paused
  }
`);

/** The workers, and which queues are paused: a paused queue is why idle workers start nothing. */
export const WorkersQuery = graphql(`
  query CliWorkers {
    workers {
      name
      concurrency
      startedAt
      uptime
      taskNames
      activeTasks
    }
    queues {
      ...CliQueue
    }
  }
`);

export const QueuesQuery = graphql(`
  query CliQueues {
    queues {
      ...CliQueue
      waiting
      prioritized
      delayed
      active
      completed
      failed
    }
  }
`);

export const CancelTaskMutation = graphql(`
  mutation CliCancelTask($id: ID!) {
    cancelTask(id: $id) {
      ...CliTask
    }
  }
`);

export const DeleteTaskMutation = graphql(`
  mutation CliDeleteTask($id: ID!) {
    deleteTask(id: $id)
  }
`);

export const TaskProgressSubscription = graphql(`
  subscription CliTaskProgress($id: ID!) {
    taskProgress(id: $id) {
      ...CliTask
    }
  }
`);

/**
 * A task's newest log lines. `last` is a literal, not a variable (which the cost limit counts as the
 * longest log that may be read): `logsQuery(n)` answers this document with another number in it.
 */
export const TaskLogsQuery = graphql(`
  query CliTaskLogs($id: ID!) {
    task(id: $id) {
      id
      logs(last: 100) {
        at
        level
        message
      }
    }
  }
`);

/** What the command line prints of a schedule. */
export const CliScheduleFields = graphql(`
  fragment CliSchedule on TaskSchedule {
    id
    name
    cron
    everySeconds
    timezone
    nextRunAt
    createdAt
    lastTask {
      id
      state
    }
  }
`);

export const TaskSchedulesQuery = graphql(`
  query CliTaskSchedules {
    taskSchedules {
      ...CliSchedule
    }
  }
`);

export const CreateTaskScheduleMutation = graphql(`
  mutation CliCreateTaskSchedule($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {
    createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) {
      ...CliSchedule
    }
  }
`);

export const DeleteTaskScheduleMutation = graphql(`
  mutation CliDeleteTaskSchedule($id: ID!) {
    deleteTaskSchedule(id: $id)
  }
`);
