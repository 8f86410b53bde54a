import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import calculateSlot from 'cluster-key-slot';
import { CLUSTER_SLOTS, createPartitions, partitionTags } from '../core/partitions.js';
import { parseWorkerConfig } from '../worker/config.js';
import { createWorker } from '../worker/worker.js';
import { gql, gqlData, watch, wsClient } from './support/graphql.js';
import {
  CANCEL_TASK,
  CREATE_CALCULATION,
  CREATE_SLEEP,
  GET_TASK,
  LIST_TASKS,
  TASK_PROGRESS,
  type TaskData,
} from './support/operations.js';
import { runEntryPoint } from './support/processes.js';
import { createTestStack, logger, REDIS_URL, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

const PARTITIONS = 4;

interface TaskList {
  tasks: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: { id: string; name: string; state: string }[];
  };
}

describe('partition hash tags', () => {
  it('should put each partition in the middle of its even share of the slots, the same every time', () => {
    for (const count of [2, 3, 12, 16, 256]) {
      const tags = partitionTags('tasks', count);
      expect(new Set(tags).size).toBe(count);
      expect(partitionTags('tasks', count)).toEqual(tags);
      tags.forEach((tag, index) => {
        const share = CLUSTER_SLOTS / count;
        const slot = calculateSlot(tag);
        expect(slot).toBeGreaterThanOrEqual(index * share + share / 4 - 1);
        expect(slot).toBeLessThan(index * share + (3 * share) / 4);
      });
    }
    // Naive tags would pile up: `tasks:0` to `tasks:11` leave a third of the slot range without one.
    expect(partitionTags('tasks', 1)).toEqual(['tasks']);
  });

  it('should name a task by its partition, and know no id of another layout', () => {
    const partitions = createPartitions('app:{tasks}', 3);
    expect(partitions.all.map(({ keys }) => keys.prefix)).toEqual(
      partitionTags('tasks', 3).map((tag) => `app:{${tag}}`),
    );
    expect(partitions.meta.prefix).toBe('app:{tasks}');
    const made = [0, 1, 2, 3, 4, 5].map(() => partitions.newTask());
    expect(made.map(({ partition }) => partition.index).sort()).toEqual([0, 0, 1, 1, 2, 2]);
    for (const { id, partition } of made) {
      expect(id).toMatch(new RegExp(`^p${partition.index}-[0-9a-f-]{36}$`));
      expect(partitions.ofTask(id)).toBe(partition);
    }
    const uuid = made[0]!.id.slice(3);
    expect(partitions.ofTask(uuid)).toBeNull();
    expect(partitions.ofTask(`p3-${uuid}`)).toBeNull();
    expect(partitions.ofTask('p1-not-a-uuid')).toBeNull();
    expect(createPartitions('{tasks}', 1).ofTask(uuid)).not.toBeNull();
    expect(createPartitions('{tasks}', 1).ofTask(`p0-${uuid}`)).toBeNull();
  });
});

describe(`tasks over ${PARTITIONS} partitions of one Redis`, () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack({ partitions: PARTITIONS });
  });

  afterEach(() => stack.close());

  it('should spread creates evenly, run each, and list them all newest first across pages', async () => {
    const api = await stack.startApi();
    await stack.startWorker();
    const created: string[] = [];
    for (let i = 0; i < 13; i++) {
      const { createCalculationTask } = await gqlData<{ createCalculationTask: TaskData }>(
        api.url,
        CREATE_CALCULATION,
        { input: { numbers: [i, 1], operation: 'SUM' } },
      );
      created.push(createCalculationTask.id);
    }
    const byPartition = new Map<number, number>();
    for (const id of created) {
      const partition = stack.partitions.ofTask(id)!;
      byPartition.set(partition.index, (byPartition.get(partition.index) ?? 0) + 1);
      // Its record lies under its partition's prefix, which holds that partition's hash tag.
      expect(await stack.redis.exists(partition.keys.task(id))).toBe(1);
    }
    expect([...byPartition.values()].sort()).toEqual([3, 3, 3, 4]);

    await waitFor(
      async () => {
        const { tasks } = await gqlData<TaskList>(api.url, LIST_TASKS, { first: 100, state: 'COMPLETED' });
        return tasks.totalCount === 13;
      },
      { what: 'every task completed' },
    );
    for (const [i, id] of created.entries()) {
      const { task } = await gqlData<{ task: TaskData }>(api.url, GET_TASK, { id });
      expect(task.result).toMatchObject({ value: String(i + 1), count: 2 });
    }

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { tasks }: TaskList = await gqlData<TaskList>(api.url, LIST_TASKS, { first: 3, after });
      expect(tasks.totalCount).toBe(13);
      seen.push(...tasks.nodes.map((node) => node.id));
      if (!tasks.pageInfo.hasNextPage) break;
      after = tasks.pageInfo.endCursor;
    }
    expect(seen).toEqual([...created].reverse());

    const { createSleepTask } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 30 },
    });
    const sleeping = await gqlData<TaskList>(api.url, LIST_TASKS, { name: 'sleep_task' });
    expect(sleeping.tasks.nodes.map((node) => node.id)).toEqual([createSleepTask.id]);
    expect(sleeping.tasks.totalCount).toBe(1);
  });

  it('should cancel a running task of any partition at once, and forget expired tasks of every partition', async () => {
    const api = await stack.startApi({ tasks: { resultTtlMs: 1_000 } });
    await stack.startWorker();
    const ids: string[] = [];
    for (let i = 0; i < PARTITIONS; i++) {
      const { createSleepTask } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
        input: { duration: 60 },
      });
      ids.push(createSleepTask.id);
    }
    expect(new Set(ids.map((id) => stack.partitions.ofTask(id)!.index)).size).toBe(PARTITIONS);

    const client = wsClient(api.url);
    try {
      const watches = ids.map((id) => watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id }));
      await waitFor(() => watches.every((w) => w.values.at(-1)?.taskProgress.state === 'ACTIVE'), {
        what: 'every task running',
      });
      for (const id of ids) await gqlData(api.url, CANCEL_TASK, { id });
      await Promise.all(watches.map((w) => w.ended));
      expect(watches.map((w) => w.values.at(-1)?.taskProgress.state)).toEqual(ids.map(() => 'CANCELLED'));
    } finally {
      await client.dispose();
    }

    // Forgotten once their second has passed: records, and every partition's indexes.
    const records = ids.map((id) => stack.partitions.ofTask(id)!.keys.task(id));
    await waitFor(
      async () => (await Promise.all(records.map((key) => stack.redis.exists(key)))).every((n) => n === 0),
      {
        what: 'the expired tasks forgotten',
      },
    );
    for (const { keys } of stack.partitions.all) expect(await stack.redis.zcard(keys.index({}))).toBe(0);
  });

  it('should answer NOT_FOUND for an id of no partition without asking Redis', async () => {
    const api = await stack.startApi();
    const { createSleepTask } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 5 },
    });
    const uuid = createSleepTask.id.replace(/^p\d+-/, '');
    for (const id of [uuid, `p${PARTITIONS}-${uuid}`, `p99-${uuid}`]) {
      const { errors } = await gql(api.url, CANCEL_TASK, { id });
      expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });

  it('should stop a process configured with another partition count, naming both numbers', async () => {
    await stack.startApi(); // records 4
    const variables = {
      REDIS_URL,
      REDIS_KEY_PREFIX: stack.keys.prefix,
      TASK_PARTITIONS: '2',
    };
    await expect(createWorker(parseWorkerConfig(variables), { logger })).rejects.toThrow(
      /spread over 4 partitions .* configured for 2 \(TASK_PARTITIONS\)/,
    );
    const { code, output } = await runEntryPoint('src/main.ts', { ...variables, PORT: '0' });
    expect(code).toBe(1);
    expect(output).toContain('configured for 2 (TASK_PARTITIONS)');
    expect(output).toContain('spread over 4 partitions');
  });
});
