/** The playground's first tabs: what a newcomer wants to try, in order. */
export const exampleTabs = [
  {
    query: `# Queue a sleep task: copy its id for the next tab.
mutation CreateSleepTask {
  createSleepTask(input: { duration: 10 }) {
    id
    state
    total
  }
}
`,
  },
  {
    query: `# Watch a task live: the current state, then every step, then the end.
subscription WatchTask($id: ID!) {
  taskProgress(id: $id) {
    id
    state
    progress
    current
    total
    ... on SleepTask {
      result {
        status
      }
    }
  }
}
`,
    variables: '{\n  "id": "paste the id here"\n}',
  },
  {
    query: `# The newest tasks, and the workers running them.
query ListTasks {
  tasks(first: 10) {
    totalCount
    nodes {
      id
      name
      state
      progress
      finishedAt
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
  workers {
    name
    activeTasks
  }
}
`,
  },
];
