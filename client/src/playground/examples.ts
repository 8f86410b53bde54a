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
  {
    query: `# Queue a task for later: it starts in 30 s,
# ahead of waiting tasks with a higher number
# (1 is the most urgent), and fails if it runs
# past 20 s. Sent again with the same key, it
# answers the same task instead of a new one.
mutation CreateDelayedTask {
  createSleepTask(
    input: { duration: 10 }
    options: {
      delaySeconds: 30
      priority: 1
      timeoutSeconds: 20
      idempotencyKey: "report-2026-01-31"
    }
  ) {
    id
    state
    runAt
    priority
    timeoutSeconds
  }
}
`,
  },
  {
    query: `# A task's log: what it wrote as it ran, and
# its worker's retries, stalls and time-outs.
query TaskLogs($id: ID!) {
  task(id: $id) {
    id
    state
    logs(last: 20) {
      at
      level
      message
    }
  }
}
`,
    variables: '{\n  "id": "paste the id here"\n}',
  },
  {
    query: `# A calculation task at 9:00 every weekday in
# Paris (or schedule: { everySeconds: 60 }).
# { taskSchedules { id nextRunAt } } lists them,
# deleteTaskSchedule(id:) stops one.
mutation CreateSchedule {
  createCalculationTaskSchedule(
    input: { numbers: [1, 2, 3], operation: SUM }
    schedule: { cron: "0 9 * * 1-5", timezone: "Europe/Paris" }
  ) {
    id
    name
    cron
    timezone
    nextRunAt
  }
}
`,
  },
  {
    query: `# Each partition's BullMQ queue, as Bull Board
# and Taskforce show it: paused or not (then no
# task starts until queue.resume()), and its
# jobs as BullMQ counts them. Every task gets
# a priority: waiting ones count as prioritized.
query Queues {
  queues {
    name
    prefix
    partition
    paused
    waiting
    prioritized
    delayed
    active
    completed
    failed
  }
}
`,
  },
];
