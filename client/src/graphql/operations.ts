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

export const WorkersQuery = graphql(`
  query Workers {
    workers {
      name
      concurrency
      startedAt
      uptime
      taskNames
      activeTasks
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

export const TaskUpdatedSubscription = graphql(`
  subscription TaskUpdated {
    taskUpdated {
      ...TaskFields
    }
  }
`);
