import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gqlData, postGraphQL } from './support/graphql.js';
import { DELETE_TASK, GET_TASK, QUEUES, type TaskData } from './support/operations.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';
import { signedToken } from './support/tokens.js';
import { waitFor } from '../testbed/wait.js';

const secret = 'a-secret-of-the-queue-tests-at-least-32-characters';

const CREATE_SLEEP = `mutation ($input: CreateSleepTaskInput!, $options: TaskOptionsInput) {
  createSleepTask(input: $input, options: $options) { id state }
}`;

interface QueueData {
  name: string;
  prefix: string;
  partition: number;
  paused: boolean;
  waiting: number;
  prioritized: number;
  delayed: number;
  active: number;
  completed: number;
  failed: number;
}

const noJobs = { waiting: 0, prioritized: 0, delayed: 0, active: 0, completed: 0, failed: 0 };

describe('queues', () => {
  let stack: TestStack;
  /** The queues a test opened as Bull Board or Taskforce does, to pause and resume them. */
  const opened: Queue[] = [];

  /** A partition's queue as Bull Board or Taskforce opens it: by its name and prefix, on a connection of its own choosing. */
  const queueAsBullBoard = (prefix: string) => {
    const queue = new Queue('tasks', { connection: stack.redis, prefix });
    opened.push(queue);
    return queue;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
    await stack.close();
  });

  const queuesOf = async (api: TestApi) => (await gqlData<{ queues: QueueData[] }>(api.url, QUEUES)).queues;
  const stateOf = async (api: TestApi, id: string) =>
    (await gqlData<{ task: TaskData | null }>(api.url, GET_TASK, { id })).task?.state;

  describe('on two partitions', () => {
    let api: TestApi;

    beforeEach(async () => {
      stack = await createTestStack({ partitions: 2 });
      api = await stack.startApi();
      await stack.startWorker();
    });

    /**
     * A sleep task in `partition`. The API hands out partitions in turn, so one of as many creates
     * lands there; the others are deleted.
     */
    async function createIn(partition: number, duration: number, options: Record<string, unknown> | null = null) {
      for (let tries = 0; tries < stack.partitions.count; tries++) {
        const data = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
          input: { duration },
          options,
        });
        const task = data.createSleepTask;
        if (stack.partitions.ofTask(task.id)?.index === partition) return task;
        await gqlData(api.url, DELETE_TASK, { id: task.id });
      }
      throw new Error(`no task was created in partition ${partition}`);
    }

    it("should show a queue paused with BullMQ's API and its counts, keep its tasks QUEUED, and start them once resumed", async () => {
      const [first, second] = stack.partitions.all;
      // Finished jobs stay as long as their tasks: the ones this test ends, and those createIn deletes.
      const finished = { completed: expect.any(Number), failed: expect.any(Number) };
      expect(await queuesOf(api)).toEqual([
        { name: 'tasks', prefix: first!.keys.prefix, partition: 0, paused: false, ...noJobs },
        { name: 'tasks', prefix: second!.keys.prefix, partition: 1, paused: false, ...noJobs },
      ]);

      // Running before the pause: BullMQ's pause lets it go on.
      const running = await createIn(0, 30);
      await waitFor(async () => (await stateOf(api, running.id)) === 'ACTIVE', { what: 'the long task to start' });
      const queue = queueAsBullBoard(first!.keys.prefix);
      await queue.pause();

      const queued = await createIn(0, 1);
      const later = await createIn(0, 1, { delaySeconds: 3600 });
      // The other partition's queue runs on: a task created after the paused one ends first.
      const elsewhere = await createIn(1, 1);
      await waitFor(async () => (await stateOf(api, elsewhere.id)) === 'COMPLETED', {
        what: "the other partition's task to complete",
      });
      expect(await stateOf(api, queued.id)).toBe('QUEUED');
      expect(await queuesOf(api)).toEqual([
        {
          ...noJobs,
          name: 'tasks',
          prefix: first!.keys.prefix,
          partition: 0,
          ...finished,
          paused: true,
          prioritized: 1,
          delayed: 1,
          active: 1,
        },
        { ...noJobs, ...finished, name: 'tasks', prefix: second!.keys.prefix, partition: 1, paused: false },
      ]);
      expect((await queuesOf(api))[1]!.completed).toBeGreaterThanOrEqual(1); // the other partition's task

      await queue.resume();
      expect((await queuesOf(api)).map((state) => state.paused)).toEqual([false, false]);
      await waitFor(async () => (await stateOf(api, queued.id)) === 'COMPLETED', {
        what: 'the task queued while paused to complete once resumed',
      });
      for (const { id } of [running, later]) await gqlData(api.url, DELETE_TASK, { id });
      expect(await queuesOf(api)).toEqual([
        { ...noJobs, ...finished, name: 'tasks', prefix: first!.keys.prefix, partition: 0, paused: false },
        { ...noJobs, ...finished, name: 'tasks', prefix: second!.keys.prefix, partition: 1, paused: false },
      ]);
    });
  });

  it('should let any authenticated caller read every queue, with counts of every owner, and no one else', async () => {
    stack = await createTestStack();
    const api = await stack.startApi({ auth: { jwtSecret: secret } });
    const as = async (subject: string | null, query: string, variables: Record<string, unknown> = {}) => {
      const token = subject && (await signedToken(secret, subject));
      const { status, body } = await postGraphQL(api.url, { query, variables }, { token });
      return { status, ...body };
    };

    await queueAsBullBoard(stack.keys.prefix).pause();
    const created = await as('alice', CREATE_SLEEP, { input: { duration: 1 } });
    expect(created.errors).toBeUndefined();
    const seenByBob = await as('bob', QUEUES);
    expect(seenByBob.data).toEqual({
      queues: [{ ...noJobs, name: 'tasks', prefix: stack.keys.prefix, partition: 0, paused: true, prioritized: 1 }],
    });
    const anonymous = await as(null, QUEUES);
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.data ?? null).toBeNull();
  });
});
