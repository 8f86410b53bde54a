import { graphql } from './generated';

/**
 * Every field of a task the dashboard shows; used by every operation so the cache stays whole. Its
 * result is read as `output`, the JSON every kind answers, so a kind added after this was built
 * shows its result too (task-format.ts). Its input is read by the detail alone (TaskDetail): a page
 * of tasks does not show it, and a kind's input may be long.
 */
export const TaskFieldsFragment = graphql(`
  fragment TaskFields on Task {
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
    version
    createdAt
    startedAt
    finishedAt
    expiresAt
    runAt
    priority
    timeoutSeconds
    scheduleId
    output
  }
`);

/** A page of 20, written out: the cost limit counts a variable `first` as the largest page there is. */
export const TasksQuery = graphql(`
  query Tasks($after: String, $state: TaskState, $name: String) {
    tasks(first: 20, after: $after, state: $state, name: $name) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...TaskFields
      }
    }
  }
`);

/** The live workers, pushed: the list now, then again each time it changes (`id` keys them in the cache). */
export const WorkersChangedSubscription = graphql(`
  subscription WorkersChanged {
    workersChanged {
      id
      name
      concurrency
      startedAt
      uptime
      taskNames
      activeTasks
    }
  }
`);

/** Each partition's BullMQ queue, and whether it is paused (nothing pushes it: it is read on a timer). */
export const QueuesQuery = graphql(`
  query Queues {
    queues {
      name
      prefix
      partition
      paused
    }
  }
`);

/** The last hour by the minute: tasks completed and failed, and the backlog. */
export const TaskHistoryQuery = graphql(`
  query TaskHistory($minutes: Int) {
    taskHistory(minutes: $minutes) {
      at
      completed
      failed
      backlog
    }
  }
`);

/**
 * Every kind the service runs, with the JSON Schema of its input: the create and schedule forms are
 * drawn from it, and each `typeName` is a type of task the cache learns (apollo.ts).
 */
export const TaskKindsQuery = graphql(`
  query TaskKinds {
    taskKinds {
      name
      typeName
      description
      isolation
      inputSchema
      resultSchema
    }
  }
`);

/** A task of any kind: one document whatever the kinds, so that it is a trusted document. */
export const CreateTaskMutation = graphql(`
  mutation CreateTask($kind: String!, $input: JSON!, $options: TaskOptionsInput) {
    createTask(kind: $kind, input: $input, options: $options) {
      ...TaskFields
    }
  }
`);

export const CancelTaskMutation = graphql(`
  mutation CancelTask($id: ID!) {
    cancelTask(id: $id) {
      ...TaskFields
    }
  }
`);

export const RetryTaskMutation = graphql(`
  mutation RetryTask($id: ID!) {
    retryTask(id: $id) {
      ...TaskFields
      retryOf
    }
  }
`);

export const DeleteTaskMutation = graphql(`
  mutation DeleteTask($id: ID!) {
    deleteTask(id: $id)
  }
`);

export const TaskProgressSubscription = graphql(`
  subscription TaskProgress($id: ID!) {
    taskProgress(id: $id) {
      ...TaskFields
    }
  }
`);

/**
 * One task followed for its detail view: every field, its input (as JSON, whatever its kind), what
 * it retries, its timeline and its log (both read again with every change). `last` is written out:
 * a variable would be costed as the longest log that may be read.
 */
export const TaskDetailSubscription = graphql(`
  subscription TaskDetail($id: ID!) {
    taskProgress(id: $id) {
      ...TaskFields
      input
      retryOf
      timeline {
        at
        state
        current
        total
        attempt
        message
      }
      logs(last: 100) {
        at
        level
        message
      }
    }
  }
`);

/** A task's log once more, after its end: the worker may write a last line after the final change. */
export const TaskLogsQuery = graphql(`
  query TaskLogs($id: ID!) {
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

export const TaskUpdatedSubscription = graphql(`
  subscription TaskUpdated {
    taskUpdated {
      ...TaskFields
    }
  }
`);

/**
 * What the dashboard shows of a schedule; its latest task with its `version`, so that this answer
 * never puts an older state of that task into the cache than the one its events brought.
 */
export const ScheduleFieldsFragment = graphql(`
  fragment ScheduleFields on TaskSchedule {
    id
    name
    cron
    everySeconds
    timezone
    nextRunAt
    createdAt
    lastTask {
      __typename
      id
      state
      version
    }
  }
`);

export const TaskSchedulesQuery = graphql(`
  query TaskSchedules {
    taskSchedules {
      ...ScheduleFields
    }
  }
`);

export const CreateTaskScheduleMutation = graphql(`
  mutation CreateTaskSchedule($kind: String!, $input: JSON!, $schedule: ScheduleInput!) {
    createTaskSchedule(kind: $kind, input: $input, schedule: $schedule) {
      ...ScheduleFields
    }
  }
`);

export const DeleteTaskScheduleMutation = graphql(`
  mutation DeleteTaskSchedule($id: ID!) {
    deleteTaskSchedule(id: $id)
  }
`);
