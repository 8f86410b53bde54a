import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskStore } from '../core/task-store.js';
import { createTaskStore } from '../core/task-store.js';
import { waiterOf } from '../core/waiting.js';
import { gql, gqlFrom, postGraphQL, type GraphQLResponse } from './support/graphql.js';
import { parseExposition } from './support/prometheus.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { signedToken } from './support/tokens.js';
import { waitFor } from '../testbed/wait.js';

const CREATE = `mutation ($options: TaskOptionsInput) {
  createSleepTask(input: { duration: 1 }, options: $options) { id state }
}`;
/** Two creates in one operation. */
const CREATE_TWO = `mutation {
  a: createSleepTask(input: { duration: 1 }, options: { delaySeconds: 3600 }) { id }
  b: createSleepTask(input: { duration: 1 }, options: { delaySeconds: 3600 }) { id }
}`;
const delayed = { options: { delaySeconds: 3600 } };

const codesOf = (body: GraphQLResponse) => body.errors?.map((error) => error.extensions?.code) ?? [];

/** Tests' calls come from loopback: the address a task waits for without authentication. */
const LOOPBACK = waiterOf(null, '127.0.0.1');

describe('the tasks one owner may have waiting (MAX_WAITING_PER_OWNER)', () => {
  let stack: TestStack;
  let store: TaskStore;

  beforeEach(async () => {
    // Three partitions: the bound is split into shares (1, 1 and 2 of 4), which a create fills in turn.
    stack = await createTestStack({ partitions: 3 });
    store = createTaskStore(stack.redis, stack.partitions);
  });

  afterEach(() => stack.close());

  /** Every waiting set's members with their counts, over the partitions. */
  async function waitingSets() {
    const sets = await Promise.all(
      stack.partitions.all.map(({ keys }) => stack.redis.zrange(keys.waiting, 0, -1, 'WITHSCORES')),
    );
    return sets.filter((set) => set.length > 0);
  }

  it('should refuse a create past the bound with TOO_MANY_WAITING_TASKS (429), creating nothing', async () => {
    // An allowance of 5 creates: the refused operation of two must not spend any of it.
    const api = await stack.startApi({ limits: { maxWaitingPerOwner: 4, rateLimitCreates: 5 } });
    for (let i = 0; i < 3; i++)
      expect(codesOf((await postGraphQL(api.url, { query: CREATE, variables: delayed })).body)).toEqual([]);

    // Two more do not fit: neither is created, and the operation costs none of the create allowance.
    const both = await postGraphQL(api.url, { query: CREATE_TWO });
    expect(both.status).toBe(429);
    expect(both.body.data ?? null).toBeNull();
    expect(both.body.errors).toMatchObject([
      {
        message: expect.stringContaining('at most 4 tasks waiting to start') as unknown,
        extensions: { code: 'TOO_MANY_WAITING_TASKS', limit: 4 },
      },
    ]);
    expect(await store.waitingOf(LOOPBACK)).toBe(3);

    // One does, in whichever partition still has room; then the bound holds, delayed or not.
    expect(codesOf((await postGraphQL(api.url, { query: CREATE, variables: delayed })).body)).toEqual([]);
    const refused = await postGraphQL(api.url, { query: CREATE });
    expect(refused.status).toBe(429);
    expect(codesOf(refused.body)).toEqual(['TOO_MANY_WAITING_TASKS']);
    expect(await store.waitingOf(LOOPBACK)).toBe(4);
    expect(await store.count({ state: 'QUEUED' })).toBe(4);
    expect((await stack.jobCounts()).delayed).toBe(4);

    // Another address has a bound of its own.
    const elsewhere = await gqlFrom('127.0.0.2', api.url, CREATE, delayed);
    expect(codesOf(elsewhere)).toEqual([]);
    expect(await store.waitingOf(waiterOf(null, '127.0.0.2'))).toBe(1);
  });

  it('should create in a partition with room when the one next in turn has none', async () => {
    // One waiting task a partition; each create goes to the partition after the last one's.
    const api = await stack.startApi({ limits: { maxWaitingPerOwner: 3 } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await postGraphQL(api.url, { query: CREATE, variables: delayed });
      ids.push((body.data as { createSleepTask: { id: string } }).createSleepTask.id);
    }
    // The next in turn is the first's partition, still full: the room is in the second's.
    await gql(api.url, 'mutation ($id: ID!) { cancelTask(id: $id) { id } }', { id: ids[1] });
    const { body } = await postGraphQL(api.url, { query: CREATE, variables: delayed });
    expect(codesOf(body)).toEqual([]);
    const created = (body.data as { createSleepTask: { id: string } }).createSleepTask.id;
    expect(stack.partitions.ofTask(created)).toBe(stack.partitions.ofTask(ids[1]!));
  });

  it("should count an owner's tasks together whatever its address, and apart from another owner's", async () => {
    const secret = randomBytes(32).toString('hex');
    const api = await stack.startApi({ auth: { jwtSecret: secret }, limits: { maxWaitingPerOwner: 2 } });
    const as = async (owner: string, localAddress?: string) => ({
      token: await signedToken(secret, owner),
      localAddress,
    });
    const createDelayed = { query: CREATE, variables: delayed };
    expect(codesOf((await postGraphQL(api.url, createDelayed, await as('alice'))).body)).toEqual([]);
    expect(codesOf((await postGraphQL(api.url, createDelayed, await as('alice', '127.0.0.2'))).body)).toEqual([]);
    expect(codesOf((await postGraphQL(api.url, createDelayed, await as('alice', '127.0.0.3'))).body)).toEqual([
      'TOO_MANY_WAITING_TASKS',
    ]);
    expect(codesOf((await postGraphQL(api.url, createDelayed, await as('bob'))).body)).toEqual([]);
    expect(await store.waitingOf(waiterOf('alice'))).toBe(2);
    expect(await store.waitingOf(waiterOf('bob'))).toBe(1);
    expect(await store.waitingOf(LOOPBACK)).toBe(0);
  });

  it('should count a task waiting from its create until it starts, is cancelled or deleted, and again when handed back', async () => {
    const api = await stack.startApi({ limits: { maxWaitingPerOwner: 10 } });
    const created: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { body } = await postGraphQL(api.url, { query: CREATE, variables: i < 3 ? delayed : {} });
      created.push((body.data as { createSleepTask: { id: string } }).createSleepTask.id);
    }
    expect(await store.waitingOf(LOOPBACK)).toBe(6);
    const [cancelled, deleted, started, handedBack, retried, instant] = created.map((id) => ({
      id,
      name: 'sleep_task',
    }));

    expect(codesOf(await gql(api.url, 'mutation ($id: ID!) { cancelTask(id: $id) { id } }', cancelled!))).toEqual([]);
    expect(await store.waitingOf(LOOPBACK)).toBe(5);
    expect(codesOf(await gql(api.url, 'mutation ($id: ID!) { deleteTask(id: $id) }', deleted!))).toEqual([]);
    expect(await store.waitingOf(LOOPBACK)).toBe(4);

    // A worker's runs, through the same scripts a worker calls.
    for (const task of [started!, handedBack!, retried!]) {
      expect((await store.start(task, `run-${task.id}`, 'w', { attemptsMade: 0 })).state).toBe('ACTIVE');
    }
    expect(await store.waitingOf(LOOPBACK)).toBe(1);
    await store.finish(handedBack!, `run-${handedBack!.id}`, { state: 'QUEUED', error: 'worker w stopped' });
    await store.finish(retried!, `run-${retried!.id}`, { state: 'QUEUED', error: 'attempt 1 failed' });
    expect(await store.waitingOf(LOOPBACK)).toBe(3);
    await store.finish(started!, `run-${started!.id}`, { state: 'COMPLETED', result: { status: 'ok' } });
    expect(await store.waitingOf(LOOPBACK)).toBe(3);
    // An instant kind's run, started and ended in one script; and a run that fails for good.
    await store.startAndFinish(
      instant!,
      'instant-run',
      'w',
      { state: 'COMPLETED', result: { status: 'ok' } },
      {
        job: { attemptsMade: 0 },
        input: { duration: 1 },
      },
    );
    expect(await store.waitingOf(LOOPBACK)).toBe(2);
    await store.start(retried!, 'second-run', 'w', { attemptsMade: 1 });
    await store.finish(retried!, 'second-run', { state: 'FAILED', error: 'attempt 2 failed' });
    await store.cancel(handedBack!);
    expect(await store.waitingOf(LOOPBACK)).toBe(0);
    expect(await waitingSets()).toEqual([]); // a waiter with none is kept nowhere

    // Finished tasks expire without changing a count.
    await stack.redis.zadd(stack.partitions.ofTask(started!.id)!.keys.expiry, 1, started!.id);
    expect(await store.sweepExpired()).toContain(started!.id);
    expect(await waitingSets()).toEqual([]);
  });

  it('should give the count back as a worker starts the tasks', async () => {
    const api = await stack.startApi({ limits: { maxWaitingPerOwner: 3 } });
    for (let i = 0; i < 3; i++) await postGraphQL(api.url, { query: CREATE });
    expect(codesOf((await postGraphQL(api.url, { query: CREATE })).body)).toEqual(['TOO_MANY_WAITING_TASKS']);
    await stack.startWorker();
    await waitFor(async () => (await store.count({ state: 'COMPLETED' })) === 3, { what: 'the tasks to complete' });
    expect(await store.waitingOf(LOOPBACK)).toBe(0);
    expect(await waitingSets()).toEqual([]);
    expect(codesOf((await postGraphQL(api.url, { query: CREATE })).body)).toEqual([]);
  });

  it('should hold the bound exactly under concurrent creates on two API instances', async () => {
    const limits = { maxWaitingPerOwner: 10, rateLimitCreates: 1_000 };
    const apis = [await stack.startApi({ limits }), await stack.startApi({ limits })];
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        postGraphQL(apis[i % 2]!.url, { query: CREATE, variables: i % 3 === 0 ? delayed : {} }),
      ),
    );
    const codes = answers.flatMap(({ body }) => (body.errors ? codesOf(body) : ['CREATED']));
    expect(codes.filter((code) => code === 'CREATED')).toHaveLength(10);
    expect(codes.filter((code) => code !== 'CREATED')).toEqual(Array(30).fill('TOO_MANY_WAITING_TASKS'));
    expect(await store.waitingOf(LOOPBACK)).toBe(10);
    expect(await store.count({ state: 'QUEUED' })).toBe(10);
    // Each partition's share (3, 3 and 4 of 10) is full.
    const sets = await Promise.all(stack.partitions.all.map(({ keys }) => stack.redis.zscore(keys.waiting, LOOPBACK)));
    expect(sets.map(Number)).toEqual([3, 3, 4]);
  });

  it('should show the waiting tasks, and the most one owner has, in /metrics', async () => {
    const api = await stack.startApi({ limits: { maxWaitingPerOwner: 10 } });
    for (let i = 0; i < 5; i++) await postGraphQL(api.url, { query: CREATE, variables: delayed });
    await gqlFrom('127.0.0.2', api.url, CREATE, delayed);
    const response = await fetch(`${api.url}/metrics`);
    const metrics = parseExposition(await response.text());
    expect(metrics.value('task_service_waiting_tasks')).toBe(6);
    expect(metrics.value('task_service_waiting_tasks_largest_owner')).toBe(5);
    expect(metrics.families.get('task_service_waiting_tasks_largest_owner')?.samples).toHaveLength(1);
  });
});
