import { graphql } from './generated';

/** Every field of a task the dashboard shows; used by every operation so the cache stays whole. */
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
    ... on SleepTask {
      duration
      result {
        status
      }
    }
    ... on CalculationTask {
      numbers
      operation
      result {
        operation
        value
        count
      }
    }
  }
`);

export const TasksQuery = graphql(`
  query Tasks($first: Int, $after: String, $state: TaskState, $name: String) {
    tasks(first: $first, after: $after, state: $state, name: $name) {
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

/** The live workers, pushed: the list now, then again each time it changes. */
export const WorkersChangedSubscription = graphql(`
  subscription WorkersChanged {
    workersChanged {
      name
      concurrency
      startedAt
      uptime
      taskNames
      activeTasks
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

export const CreateSleepTaskMutation = graphql(`
  mutation CreateSleepTask($input: CreateSleepTaskInput!) {
    createSleepTask(input: $input) {
      ...TaskFields
    }
  }
`);

export const CreateCalculationTaskMutation = graphql(`
  mutation CreateCalculationTask($input: CreateCalculationTaskInput!) {
    createCalculationTask(input: $input) {
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

/** One task followed for its detail view: every field, what it retries, and its timeline. */
export const TaskDetailSubscription = graphql(`
  subscription TaskDetail($id: ID!) {
    taskProgress(id: $id) {
      ...TaskFields
      retryOf
      timeline {
        at
        state
        current
        total
        attempt
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
