import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gql, gqlData, watch, wsClient } from './support/graphql.js';
import {
  CANCEL_TASK,
  CREATE_SLEEP,
  DELETE_TASK,
  GET_TASK,
  TASK_PROGRESS,
  type TaskData,
} from './support/operations.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

describe('cancel and delete', () => {
  let stack: TestStack;
  let api: TestApi;
  let client: Client;

  beforeEach(async () => {
    stack = await createTestStack();
    api = await stack.startApi();
    client = wsClient(api.url);
  });

  afterEach(async () => {
    await client.dispose();
    await stack.close();
  });

  const createSleep = async (duration: number) =>
    (await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, { input: { duration } })).createSleepTask;
  const getTask = async (id: string) => (await gqlData<{ task: TaskData | null }>(api.url, GET_TASK, { id })).task;

  it('should stop a running sleep task within a second', async () => {
    await stack.startWorker();
    const task = await createSleep(30);
    const progress = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id: task.id });
    await waitFor(() => progress.values.some((value) => value.taskProgress.current >= 1), { what: 'the first step' });

    const asked = Date.now();
    const { cancelTask } = await gqlData<{ cancelTask: TaskData }>(api.url, CANCEL_TASK, { id: task.id });
    expect(['ACTIVE', 'CANCELLED']).toContain(cancelTask.state);
    await within(progress.ended, 1_000, 'CANCELLED');
    const last = progress.values.at(-1)!.taskProgress;
    expect(last.state).toBe('CANCELLED');
    expect(new Date(last.finishedAt!).getTime() - asked).toBeLessThan(1_000);
    expect(last.current).toBeLessThan(30);

    // No further step is recorded after the cancellation.
    const stored = await getTask(task.id);
    expect(stored).toMatchObject({ state: 'CANCELLED', current: last.current });
  });

  it('should cancel a queued task at once, and no worker should ever start it', async () => {
    const task = await createSleep(2);
    const { cancelTask } = await gqlData<{ cancelTask: TaskData }>(api.url, CANCEL_TASK, { id: task.id });
    expect(cancelTask).toMatchObject({ state: 'CANCELLED', attempts: 0, startedAt: null });
    expect(cancelTask.finishedAt).not.toBeNull();

    await stack.startWorker();
    // A second task shows the worker is taking work; the cancelled one must stay untouched.
    const other = await createSleep(1);
    await waitFor(async () => (await getTask(other.id))?.state === 'COMPLETED', { what: 'the other task' });
    expect(await getTask(task.id)).toMatchObject({ state: 'CANCELLED', attempts: 0, worker: null, startedAt: null });
  });

  it('should leave a finished task unchanged', async () => {
    await stack.startWorker();
    const task = await createSleep(1);
    await waitFor(async () => (await getTask(task.id))?.state === 'COMPLETED', { what: 'completion' });
    const before = await getTask(task.id);
    const { cancelTask } = await gqlData<{ cancelTask: TaskData }>(api.url, CANCEL_TASK, { id: task.id });
    expect(cancelTask).toEqual(before);
  });

  it('should delete a running task: cancelled first, then forgotten', async () => {
    await stack.startWorker();
    const task = await createSleep(30);
    const progress = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id: task.id });
    await waitFor(() => progress.values.some((value) => value.taskProgress.state === 'ACTIVE'), { what: 'the start' });

    expect(await gqlData(api.url, DELETE_TASK, { id: task.id })).toEqual({ deleteTask: true });
    await within(progress.ended, 1_000, 'the end of the subscription');
    expect(progress.values.at(-1)!.taskProgress.state).toBe('CANCELLED');
    expect(await getTask(task.id)).toBeNull();
    await waitFor(async () => (await stack.redis.keys(`${stack.keys.prefix}:task:*`)).length === 0, {
      what: 'no record left',
    });
    const listed = await gqlData<{ tasks: { totalCount: number } }>(api.url, '{ tasks { totalCount } }');
    expect(listed.tasks.totalCount).toBe(0);
  });

  it('should delete a queued task so that no worker runs it', async () => {
    const task = await createSleep(1);
    expect(await gqlData(api.url, DELETE_TASK, { id: task.id })).toEqual({ deleteTask: true });
    expect(await getTask(task.id)).toBeNull();
    const counts = await stack.jobCounts();
    expect((counts.wait ?? 0) + (counts.prioritized ?? 0)).toBe(0);
  });

  it('should answer NOT_FOUND for unknown ids, and null from task', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      expect(await getTask(id)).toBeNull();
      for (const mutation of [CANCEL_TASK, DELETE_TASK]) {
        const { errors } = await gql(api.url, mutation, { id });
        expect(errors![0]!.extensions!.code).toBe('NOT_FOUND');
        expect(errors![0]!.message).toContain(id);
      }
      const progress = watch(client, TASK_PROGRESS, { id });
      await within(progress.ended, 2_000, 'the error');
      expect(progress.error).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
      ]);
    }
    // Nothing stays subscribed for a task that does not exist.
    const channels = (await stack.redis.pubsub('CHANNELS', `${stack.keys.prefix}*`)) as string[];
    expect(channels.filter((channel) => channel.includes(':events:task:'))).toEqual([]);
  });
});
