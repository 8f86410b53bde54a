import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { gqlData, watch, wsClient } from './support/graphql.js';
import { CREATE_SLEEP, GET_TASK, TASK_PROGRESS, type TaskData } from './support/operations.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

describe('a sleep task watched over a subscription', () => {
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

  it('should send the snapshot, every step in order, then COMPLETED, and end', async () => {
    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 3 },
    });
    expect(task).toMatchObject({ name: 'sleep_task', state: 'QUEUED', current: 0, total: 3, progress: 0, duration: 3 });
    expect(task.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const progress = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id: task.id });
    await waitFor(() => progress.values.length > 0, { what: 'the snapshot' });
    expect(progress.values[0]!.taskProgress.state).toBe('QUEUED');
    const worker = await stack.startWorker();
    await within(progress.ended, 10_000, 'the end of the subscription');

    expect(progress.error).toBeNull();
    expect(progress.completed).toBe(true);
    const events = progress.values.map((value) => value.taskProgress);
    expect(events.map((event) => [event.state, event.current])).toEqual([
      ['QUEUED', 0],
      ['ACTIVE', 0],
      ['ACTIVE', 1],
      ['ACTIVE', 2],
      ['ACTIVE', 3],
      ['COMPLETED', 3],
    ]);
    expect(events.map((event) => event.progress)).toEqual([0, 0, (1 / 3) * 100, (2 / 3) * 100, 100, 100]);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ total: 3, worker: worker.name, attempts: 1, error: null, result: { status: 'ok' } });
    expect(new Date(done.finishedAt!).getTime()).toBeGreaterThanOrEqual(new Date(done.startedAt!).getTime() + 3000);
    expect(new Date(done.expiresAt!).getTime()).toBe(new Date(done.finishedAt!).getTime() + 3600_000);

    // A query reads the same state the subscription ended with.
    const { task: stored } = await gqlData<{ task: TaskData }>(api.url, GET_TASK, { id: task.id });
    expect(stored).toEqual(done);
  });

  it('should give a late subscriber the final state and end', async () => {
    await stack.startWorker();
    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 1 },
    });
    await waitFor(async () => (await gqlData(api.url, GET_TASK, { id: task.id })).task.state === 'COMPLETED', {
      what: 'completion',
    });

    const late = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id: task.id });
    await within(late.ended, 5_000, 'the end of the late subscription');
    expect(late.completed).toBe(true);
    expect(late.values.map((value) => value.taskProgress.state)).toEqual(['COMPLETED']);
  });

  it('should give a subscriber that joins mid-run no step twice and none out of order', async () => {
    await stack.startWorker();
    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 4 },
    });
    await waitFor(async () => (await gqlData(api.url, GET_TASK, { id: task.id })).task.current >= 1, {
      what: 'the first step',
    });

    const joined = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id: task.id });
    await within(joined.ended, 10_000, 'the end of the subscription');
    const steps = joined.values.map((value) => value.taskProgress.current);
    expect(steps[0]).toBeGreaterThanOrEqual(1);
    expect(steps.slice(0, -1)).toEqual([...new Set(steps.slice(0, -1))].sort());
    expect(steps.at(-2)).toBe(4);
    expect(joined.values.at(-1)!.taskProgress.state).toBe('COMPLETED');
  });

  it('should unsubscribe from Redis when the client stops watching', async () => {
    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 5 },
    });
    const channel = stack.keys.taskChannel(task.id);
    const subscribers = async () => ((await stack.redis.pubsub('NUMSUB', channel)) as [string, number])[1];

    const progress = watch(client, TASK_PROGRESS, { id: task.id });
    await waitFor(() => progress.values.length > 0, { what: 'the snapshot' });
    expect(await subscribers()).toBe(1);
    progress.stop();
    await waitFor(async () => (await subscribers()) === 0, { what: 'the UNSUBSCRIBE' });
  });
});
