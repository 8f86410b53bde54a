import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gqlData } from './support/graphql.js';
import { CREATE_CALCULATION, CREATE_SLEEP, GET_TASK, LIST_TASKS, type TaskData } from './support/operations.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

interface TaskList {
  tasks: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: { id: string; name: string; state: string; createdAt: string }[];
  };
}

describe('the task list', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  it('should page newest first with an opaque cursor, and filter by state and name', async () => {
    const api = await stack.startApi();
    const created: string[] = [];
    for (let i = 0; i < 13; i++) {
      const { createCalculationTask } = await gqlData<{ createCalculationTask: TaskData }>(
        api.url,
        CREATE_CALCULATION,
        {
          input: { numbers: [i], operation: 'SUM' },
        },
      );
      created.push(createCalculationTask.id);
      const { createSleepTask } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
        input: { duration: 1 },
      });
      created.push(createSleepTask.id);
    }

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { tasks }: TaskList = await gqlData<TaskList>(api.url, LIST_TASKS, { first: 10, after });
      expect(tasks.totalCount).toBe(26);
      seen.push(...tasks.nodes.map((node) => node.id));
      pages++;
      if (!tasks.pageInfo.hasNextPage) break;
      after = tasks.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());

    const sleeping = await gqlData<TaskList>(api.url, LIST_TASKS, { name: 'sleep_task', first: 100 });
    expect(sleeping.tasks.totalCount).toBe(13);
    expect(sleeping.tasks.nodes.every((node) => node.name === 'sleep_task')).toBe(true);
    expect(sleeping.tasks.pageInfo).toEqual({ hasNextPage: false, endCursor: expect.any(String) });

    await stack.startWorker();
    await waitFor(
      async () => (await gqlData<TaskList>(api.url, LIST_TASKS, { state: 'COMPLETED' })).tasks.totalCount === 26,
      { what: 'every task to complete' },
    );
    const done = await gqlData<TaskList>(api.url, LIST_TASKS, {
      state: 'COMPLETED',
      name: 'calculation_task',
      first: 5,
    });
    expect(done.tasks.totalCount).toBe(13);
    expect(done.tasks.nodes.map((node) => node.id)).toEqual(
      created
        .filter((_, i) => i % 2 === 0)
        .reverse()
        .slice(0, 5),
    );
    const queued = await gqlData<TaskList>(api.url, LIST_TASKS, { state: 'QUEUED' });
    expect(queued.tasks).toEqual({ totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('should forget a finished task after RESULT_TTL, even when nothing else happens', async () => {
    const api = await stack.startApi({ tasks: { resultTtlMs: 1_000 } });
    await stack.startWorker();
    const { createCalculationTask: task } = await gqlData<{ createCalculationTask: TaskData }>(
      api.url,
      CREATE_CALCULATION,
      {
        input: { numbers: [1, 2], operation: 'SUM' },
      },
    );
    const finished = await waitFor(
      async () => {
        const { task: current } = await gqlData<{ task: TaskData | null }>(api.url, GET_TASK, { id: task.id });
        return current?.state === 'COMPLETED' && current;
      },
      { what: 'completion' },
    );
    expect(new Date(finished.expiresAt!).getTime() - new Date(finished.finishedAt!).getTime()).toBe(1000);
    const listed = await gqlData<TaskList>(api.url, LIST_TASKS);
    expect(listed.tasks.nodes.map((node) => node.id)).toEqual([task.id]);

    await waitFor(
      async () => (await gqlData<{ task: TaskData | null }>(api.url, GET_TASK, { id: task.id })).task === null,
      {
        what: 'expiry',
        timeoutMs: 3_000,
      },
    );
    const after = await gqlData<TaskList>(api.url, LIST_TASKS);
    expect(after.tasks).toMatchObject({ totalCount: 0, nodes: [] });
    // Reads only leave it out; the API's sweep, every second, frees it.
    await waitFor(async () => (await stack.redis.exists(stack.keys.task(task.id))) === 0, {
      what: 'the sweep',
      timeoutMs: 3_000,
    });
    expect(await stack.redis.zcard(stack.keys.index({}))).toBe(0);
  });
});
