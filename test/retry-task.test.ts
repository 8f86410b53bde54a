import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gql, gqlData, postGraphQL } from './support/graphql.js';
import {
  CANCEL_TASK,
  CREATE_CALCULATION,
  CREATE_SLEEP,
  GET_TASK,
  RETRY_TASK,
  type TaskData,
} from './support/operations.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { signedToken } from './support/tokens.js';
import { waitFor } from '../testbed/wait.js';

const secret = 'a-secret-of-the-retry-tests-at-least-32-characters';
const token = (subject: string) => signedToken(secret, subject);

/** GraphQL over HTTP with a bearer token (or none). */
async function as(bearer: string | null, url: string, query: string, variables: Record<string, unknown> = {}) {
  return (await postGraphQL(url, { query, variables }, { token: bearer })).body;
}

describe('retryTask', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  const stateOf = async (url: string, id: string) =>
    (await gqlData<{ task: TaskData | null }>(url, GET_TASK, { id })).task?.state;
  const taskKeys = async () => (await stack.redis.keys(`${stack.keys.prefix}:task:*`)).length;

  it('should queue a task of the same kind and input as a failed one, naming it in retryOf, and run it', async () => {
    const api = await stack.startApi();
    // A worker whose max timeout a sleep of 3 s outlives: the task fails.
    const strict = await stack.startWorker({ maxTimeoutSeconds: 1 });
    const { createSleepTask: failing } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 3 },
    });
    await waitFor(async () => (await stateOf(api.url, failing.id)) === 'FAILED', { what: 'the failure' });
    await strict.close();

    const { retryTask } = await gqlData<{ retryTask: TaskData }>(api.url, RETRY_TASK, { id: failing.id });
    expect(retryTask).toMatchObject({
      name: 'sleep_task',
      duration: 3,
      state: 'QUEUED',
      retryOf: failing.id,
      attempts: 0,
      error: null,
    });
    expect(retryTask.id).not.toBe(failing.id);
    await stack.startWorker();
    await waitFor(async () => (await stateOf(api.url, retryTask.id)) === 'COMPLETED', {
      timeoutMs: 10_000,
      what: 'the retry to complete',
    });
    // The failed task is as it was.
    expect((await gqlData<{ task: TaskData }>(api.url, GET_TASK, { id: failing.id })).task).toMatchObject({
      state: 'FAILED',
      error: "sleep of 3 s reached the worker's max timeout of 1 s (WORKER_MAX_TIMEOUT)",
    });
  });

  it('should retry a cancelled task, and a retry of a retry', async () => {
    const api = await stack.startApi();
    const { createCalculationTask: calculation } = await gqlData<{ createCalculationTask: TaskData }>(
      api.url,
      CREATE_CALCULATION,
      { input: { numbers: [2, 3, 4], operation: 'PRODUCT' } },
    );
    await gqlData(api.url, CANCEL_TASK, { id: calculation.id });
    const { retryTask: first } = await gqlData<{ retryTask: TaskData }>(api.url, RETRY_TASK, { id: calculation.id });
    expect(first).toMatchObject({ name: 'calculation_task', numbers: [2, 3, 4], operation: 'PRODUCT' });
    await gqlData(api.url, CANCEL_TASK, { id: first.id });
    const { retryTask: second } = await gqlData<{ retryTask: TaskData }>(api.url, RETRY_TASK, { id: first.id });
    expect(second.retryOf).toBe(first.id);
    await stack.startWorker();
    await waitFor(async () => (await stateOf(api.url, second.id)) === 'COMPLETED', { what: 'the second retry' });
    const { task } = await gqlData<{ task: TaskData }>(api.url, GET_TASK, { id: second.id });
    expect(task.result).toMatchObject({ value: '24' });
  });

  it('should answer BAD_USER_INPUT for a task that has not ended or has completed, and create nothing', async () => {
    const api = await stack.startApi();
    const { createSleepTask: queued } = await gqlData<{ createSleepTask: TaskData }>(api.url, CREATE_SLEEP, {
      input: { duration: 1 },
    });
    const before = await taskKeys();
    const notEnded = await gql(api.url, RETRY_TASK, { id: queued.id });
    expect(notEnded.data).toBeUndefined();
    expect(notEnded.errors).toMatchObject([
      {
        message: `Invalid id: id: task ${queued.id} has not ended (it is QUEUED): only a failed or cancelled task is retried`,
        extensions: { code: 'BAD_USER_INPUT', argumentName: 'id' },
      },
    ]);

    await stack.startWorker();
    await waitFor(async () => (await stateOf(api.url, queued.id)) === 'COMPLETED', { what: 'completion' });
    const completed = await gql(api.url, RETRY_TASK, { id: queued.id });
    expect(completed.errors).toMatchObject([
      { message: expect.stringContaining('has completed'), extensions: { code: 'BAD_USER_INPUT' } },
    ]);
    expect(await taskKeys()).toBe(before);
  });

  it('should answer NOT_FOUND for an unknown id, and refuse a whole operation that retries one', async () => {
    const api = await stack.startApi();
    for (const id of [randomUUID(), 'not-a-task-id']) {
      const answer = await gql(api.url, RETRY_TASK, { id });
      expect(answer.errors).toMatchObject([
        { message: `No task with id "${id}"`, extensions: { code: 'NOT_FOUND', id } },
      ]);
    }
    // Admitted as the creations it stands with: none of them runs.
    const both = await gql(
      api.url,
      `mutation ($id: ID!) { a: createSleepTask(input: { duration: 1 }) { id } b: retryTask(id: $id) { id } }`,
      { id: randomUUID() },
    );
    expect(both.errors!.map((error) => error.extensions!.code)).toEqual(['NOT_FOUND']);
    expect(await taskKeys()).toBe(0);
    expect(Object.values(await stack.jobCounts()).every((count) => count === 0)).toBe(true);
  });

  it("should keep each caller to its own tasks, and count retries in the caller's creation allowance", async () => {
    const api = await stack.startApi({
      auth: { jwtSecret: secret },
      limits: { rateLimitCreates: 3, rateLimitWindowMs: 24 * 3_600_000 },
    });
    const [alice, bob] = [await token('alice'), await token('bob')];
    const created = await as(alice, api.url, CREATE_SLEEP, { input: { duration: 30 } });
    const id = created.data!.createSleepTask.id as string;
    await as(alice, api.url, CANCEL_TASK, { id });

    const bobs = await as(bob, api.url, RETRY_TASK, { id });
    expect(bobs.errors!.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    const first = await as(alice, api.url, RETRY_TASK, { id });
    expect(first.data!.retryTask).toMatchObject({ retryOf: id, state: 'QUEUED' });
    const second = await as(alice, api.url, RETRY_TASK, { id });
    expect(second.data!.retryTask).toMatchObject({ retryOf: id });
    // Three creations in all (the task and two retries): the allowance is spent.
    const third = await as(alice, api.url, RETRY_TASK, { id });
    expect(third.errors!.map((error) => error.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(await taskKeys()).toBe(3);
  });
});
