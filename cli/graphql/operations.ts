import { graphql } from './generated/index.js';

/** What the command line prints of a task: everything but a calculation's numbers (up to 100 each). */
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

export const CreateSleepTaskMutation = graphql(`
  mutation CliCreateSleepTask($input: CreateSleepTaskInput!, $options: TaskOptionsInput) {
    createSleepTask(input: $input, options: $options) {
      ...CliTask
    }
  }
`);

export const CreateCalculationTaskMutation = graphql(`
  mutation CliCreateCalculationTask($input: CreateCalculationTaskInput!, $options: TaskOptionsInput) {
    createCalculationTask(input: $input, options: $options) {
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

export const CreateSleepTaskScheduleMutation = graphql(`
  mutation CliCreateSleepTaskSchedule($input: CreateSleepTaskInput!, $schedule: ScheduleInput!) {
    createSleepTaskSchedule(input: $input, schedule: $schedule) {
      ...CliSchedule
    }
  }
`);

export const CreateCalculationTaskScheduleMutation = graphql(`
  mutation CliCreateCalculationTaskSchedule($input: CreateCalculationTaskInput!, $schedule: ScheduleInput!) {
    createCalculationTaskSchedule(input: $input, schedule: $schedule) {
      ...CliSchedule
    }
  }
`);

export const DeleteTaskScheduleMutation = graphql(`
  mutation CliDeleteTaskSchedule($id: ID!) {
    deleteTaskSchedule(id: $id)
  }
`);
