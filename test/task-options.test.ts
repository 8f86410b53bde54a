import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sleepTask from '../tasks/sleep.js';
import calculationTask from '../tasks/calculation.js';
import { defineTask } from '../core/task-definition.js';
import { taskKinds } from '../core/task-kinds/index.js';
import { gql, gqlData, postGraphQL, watch, wsClient } from './support/graphql.js';
import {
  CANCEL_TASK,
  DELETE_TASK,
  TASK_FIELDS,
  TASK_PROGRESS,
  TASK_UPDATED,
  type TaskData,
} from './support/operations.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { signedToken } from './support/tokens.js';
import { waitFor } from '../testbed/wait.js';

const OPTION_FIELDS = 'runAt priority timeoutSeconds scheduleId';
const CREATE_SLEEP = `mutation ($input: CreateSleepTaskInput!, $options: TaskOptionsInput) {
  createSleepTask(input: $input, options: $options) { id state ${OPTION_FIELDS} }
}`;
const CREATE_CALCULATION = `mutation ($input: CreateCalculationTaskInput!, $options: TaskOptionsInput) {
  createCalculationTask(input: $input, options: $options) { id state ${OPTION_FIELDS} }
}`;
const GET_TASK = `query ($id: ID!) { task(id: $id) { ${TASK_FIELDS} ${OPTION_FIELDS} logs { at level message } } }`;
const LAST_LOG_LINE = `query ($id: ID!) { task(id: $id) { logs(last: 1) { level message } } }`;

interface OptionsTask extends TaskData {
  runAt: string | null;
  priority: number | null;
  timeoutSeconds: number | null;
  scheduleId: string | null;
  logs?: { at: string; level: string; message: string }[];
}

const secret = 'a-secret-of-the-option-tests-of-32-characters';

describe('task options', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  const createSleep = (url: string, duration: number, options: Record<string, unknown> | null = null) =>
    gqlData<{ createSleepTask: OptionsTask }>(url, CREATE_SLEEP, { input: { duration }, options }).then(
      (data) => data.createSleepTask,
    );
  const taskOf = async (url: string, id: string) =>
    (await gqlData<{ task: OptionsTask | null }>(url, GET_TASK, { id })).task;
  const untilState = (url: string, id: string, state: string, timeoutMs = 10_000) =>
    waitFor(async () => (await taskOf(url, id))?.state === state, { timeoutMs, what: `${id} ${state}` });
  const taskRecords = async () => (await stack.redis.keys(`${stack.keys.prefix}:task:*`)).length;
  const jobsWaiting = async () => {
    const counts = await stack.jobCounts();
    return (counts.wait ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
  };
  const problemsOf = (errors: readonly any[] | undefined) =>
    errors?.flatMap((error) => (error.extensions?.problems ?? []).map((problem: any) => problem.field));

  describe('idempotency keys', () => {
    it('should answer the first task to the same key and input, and CONFLICT to other input, creating nothing', async () => {
      const api = await stack.startApi();
      const options = { idempotencyKey: 'order-42', priority: 3 };
      const first = await createSleep(api.url, 5, options);
      const again = await createSleep(api.url, 5, options);
      expect(again.id).toBe(first.id);
      expect(again).toMatchObject({ state: 'QUEUED', priority: 3 });
      expect(await taskRecords()).toBe(1);
      expect(await jobsWaiting()).toBe(1);

      for (const [input, otherOptions] of [
        [{ duration: 6 }, options],
        [{ duration: 5 }, { ...options, priority: 4 }],
      ] as const) {
        const conflict = await gql(api.url, CREATE_SLEEP, { input, options: otherOptions });
        expect(conflict.errors?.[0]).toMatchObject({
          extensions: { code: 'CONFLICT', idempotencyKey: 'order-42', id: first.id },
        });
        expect(conflict.errors?.[0]?.message).toContain('order-42');
      }
      // Another kind under the same key is another request too.
      const otherKind = await gql(api.url, CREATE_CALCULATION, {
        input: { numbers: [1], operation: 'SUM' },
        options: { idempotencyKey: 'order-42' },
      });
      expect(otherKind.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(await taskRecords()).toBe(1);
      expect(await jobsWaiting()).toBe(1);

      // Whatever state the first task is in, it is the answer.
      await gqlData(api.url, CANCEL_TASK, { id: first.id });
      expect(await createSleep(api.url, 5, options)).toMatchObject({ id: first.id, state: 'CANCELLED' });
      // Once it is gone, the key makes a new task.
      await gqlData(api.url, DELETE_TASK, { id: first.id });
      const fresh = await createSleep(api.url, 5, options);
      expect(fresh.id).not.toBe(first.id);
      expect(await createSleep(api.url, 5, options)).toMatchObject({ id: fresh.id });
    });

    it('should make a new task, whatever it asks for, under a key whose task was deleted or has expired', async () => {
      const api = await stack.startApi({ tasks: { resultTtlMs: 1_000 } });
      const deleted = await createSleep(api.url, 5, { idempotencyKey: 'gone' });
      await gqlData(api.url, DELETE_TASK, { id: deleted.id });
      const afterDelete = await createSleep(api.url, 6, { idempotencyKey: 'gone' });
      expect(afterDelete.id).not.toBe(deleted.id);
      expect(
        (await gql(api.url, CREATE_SLEEP, { input: { duration: 5 }, options: { idempotencyKey: 'gone' } })).errors,
      ).toMatchObject([{ extensions: { code: 'CONFLICT', id: afterDelete.id } }]);

      // Finished, it expires a second later: `task` answers null from then on, and the key is free.
      await gqlData(api.url, CANCEL_TASK, { id: afterDelete.id });
      await waitFor(async () => (await taskOf(api.url, afterDelete.id)) === null, { what: 'the task expired' });
      const afterExpiry = await createSleep(api.url, 7, { idempotencyKey: 'gone' });
      expect(afterExpiry.id).not.toBe(afterDelete.id);
      expect(await createSleep(api.url, 7, { idempotencyKey: 'gone' })).toMatchObject({ id: afterExpiry.id });
    });

    it('should create one task for concurrent creates with one key on two API instances, each answered its id', async () => {
      const [one, two] = [await stack.startApi(), await stack.startApi()];
      const creates = Array.from({ length: 20 }, (_, i) =>
        createSleep(i % 2 ? one.url : two.url, 1, { idempotencyKey: 'the-same-key' }),
      );
      const answers = await Promise.all(creates);
      expect(new Set(answers.map((task) => task.id)).size).toBe(1);
      expect(await taskRecords()).toBe(1);
      expect(await jobsWaiting()).toBe(1);
      await stack.startWorker();
      await untilState(one.url, answers[0]!.id, 'COMPLETED');
      expect((await taskOf(one.url, answers[0]!.id))!.attempts).toBe(1);
    });

    it('should find a key in the partition it names, whichever partition a create would have taken next', async () => {
      const spread = await createTestStack({ partitions: 4 });
      try {
        const [one, two] = [await spread.startApi(), await spread.startApi()];
        for (const key of ['a', 'b', 'c', 'd', 'e']) {
          const answers = await Promise.all(
            [one, two, one, two].map((api) => createSleep(api.url, 1, { idempotencyKey: key })),
          );
          expect(new Set(answers.map((task) => task.id)).size, key).toBe(1);
        }
        expect((await spread.redis.keys(`${spread.keys.prefix.slice(0, -1)}*:task:*`)).length).toBe(5);
      } finally {
        await spread.close();
      }
    });

    it("should keep keys to their caller when authentication is on, and check a key's length", async () => {
      const api = await stack.startApi({ auth: { jwtSecret: secret } });
      const as = async (subject: string, options: Record<string, unknown>) => {
        const variables = { input: { duration: 5 }, options };
        const token = await signedToken(secret, subject);
        return (
          await postGraphQL<{ createSleepTask: OptionsTask }>(api.url, { query: CREATE_SLEEP, variables }, { token })
        ).body;
      };
      const alice = await as('alice', { idempotencyKey: 'mine' });
      const bob = await as('bob', { idempotencyKey: 'mine' });
      expect(alice.data!.createSleepTask.id).not.toBe(bob.data!.createSleepTask.id);
      expect((await as('alice', { idempotencyKey: 'mine' })).data!.createSleepTask.id).toBe(
        alice.data!.createSleepTask.id,
      );

      for (const idempotencyKey of ['', 'k'.repeat(201)]) {
        const refused = await as('alice', { idempotencyKey });
        expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(problemsOf(refused.errors)).toEqual(['options.idempotencyKey']);
      }
      expect((await as('alice', { idempotencyKey: 'k'.repeat(200) })).data?.createSleepTask.id).toBeTruthy();
      expect(await taskRecords()).toBe(3);
    });
  });

  describe('delayed tasks', () => {
    it('should wait QUEUED with runAt until then, listed and watched like any other, then run', async () => {
      const api = await stack.startApi();
      await stack.startWorker();
      const client = wsClient(api.url);
      try {
        const asked = Date.now();
        const task = await createSleep(api.url, 1, { delaySeconds: 2 });
        const progress = watch<{ taskProgress: OptionsTask }>(client, TASK_PROGRESS, { id: task.id });
        const runAt = Date.parse(task.runAt!);
        expect(runAt).toBeGreaterThanOrEqual(asked + 2_000);
        expect(runAt).toBeLessThan(Date.now() + 2_000 + 1);
        const queued = await gqlData<{ tasks: { nodes: { id: string }[] } }>(
          api.url,
          '{ tasks(state: QUEUED) { nodes { id } } }',
        );
        expect(queued.tasks.nodes.map((node) => node.id)).toEqual([task.id]);
        await untilState(api.url, task.id, 'COMPLETED');
        await progress.ended;
        const done = (await taskOf(api.url, task.id))!;
        expect(Date.parse(done.startedAt!)).toBeGreaterThanOrEqual(runAt);
        expect(done.runAt).toBe(task.runAt); // kept after
        expect(progress.values.map((value) => value.taskProgress.state)).toEqual([
          'QUEUED',
          'ACTIVE',
          'ACTIVE',
          'COMPLETED',
        ]);
      } finally {
        await client.dispose();
      }
    });

    it('should cancel or delete a waiting task, leaving no job behind', async () => {
      const api = await stack.startApi();
      await stack.startWorker();
      const cancelled = await createSleep(api.url, 1, { delaySeconds: 60 });
      const deleted = await createSleep(api.url, 1, { runAt: new Date(Date.now() + 60_000).toISOString() });
      expect(await stack.jobCounts()).toMatchObject({ delayed: 2 });
      await gqlData(api.url, CANCEL_TASK, { id: cancelled.id });
      expect(await taskOf(api.url, cancelled.id)).toMatchObject({ state: 'CANCELLED', runAt: cancelled.runAt });
      expect(await gqlData(api.url, DELETE_TASK, { id: deleted.id })).toEqual({ deleteTask: true });
      expect(await stack.jobCounts()).toMatchObject({ delayed: 0 });
      expect(await taskOf(api.url, deleted.id)).toBeNull();
    });

    it('should end cancelled whichever comes first, a cancel or the start it races at the due time', async () => {
      const api = await stack.startApi();
      await stack.startWorker();
      const client = wsClient(api.url);
      try {
        const dueAt = Date.now() + 1_500;
        const tasks = await Promise.all(
          Array.from({ length: 8 }, () => createSleep(api.url, 3, { runAt: new Date(dueAt).toISOString() })),
        );
        const watches = tasks.map((task) =>
          watch<{ taskProgress: OptionsTask }>(client, TASK_PROGRESS, { id: task.id }),
        );
        // Cancels spread from just before the due time to just after it.
        await Promise.all(
          tasks.map(async (task, i) => {
            const at = dueAt - 40 + i * 15;
            await waitFor(() => Date.now() >= at, { timeoutMs: 5_000, everyMs: 1, what: 'the cancel time' });
            await gqlData(api.url, CANCEL_TASK, { id: task.id });
          }),
        );
        for (const [i, task] of tasks.entries()) {
          await untilState(api.url, task.id, 'CANCELLED');
          await watches[i]!.ended;
          expect(watches[i]!.values.at(-1)?.taskProgress.state).toBe('CANCELLED');
        }
        expect(await stack.jobCounts()).toMatchObject({ delayed: 0, active: 0 });
      } finally {
        await client.dispose();
      }
    });

    it('should leave delayed tasks out of the backlog workers are scaled on until their time comes', async () => {
      const api = await stack.startApi();
      const backlog = async () => {
        const text = await (await fetch(`${api.url}/metrics`)).text();
        return Number(/^task_service_backlog\{kind="sleep_task"\} (\d+)$/m.exec(text)?.[1]);
      };
      await createSleep(api.url, 1);
      const later = await createSleep(api.url, 1, { delaySeconds: 3600 });
      await createSleep(api.url, 1, { delaySeconds: 1 });
      await waitFor(async () => (await backlog()) === 1, { what: 'a backlog of the task without a delay' });
      await waitFor(async () => (await backlog()) === 2, { what: 'the short delay to come into the backlog' });
      await gqlData(api.url, CANCEL_TASK, { id: later.id });
      await gqlData(api.url, DELETE_TASK, { id: later.id });
      // The cancel and the delete took the long delay out; the sweep takes out the one that came due.
      await waitFor(async () => (await stack.redis.zcard(stack.keys.delayed('sleep_task'))) === 0, {
        what: 'the delayed set to empty',
      });
    });

    it('should run a runAt in the past at once, and refuse a start too far ahead or given twice', async () => {
      const api = await stack.startApi();
      await stack.startWorker();
      const past = await createSleep(api.url, 1, { runAt: new Date(Date.now() - 60_000).toISOString() });
      expect(past.runAt).toBeNull();
      await untilState(api.url, past.id, 'COMPLETED');

      const refusals = [
        [{ runAt: new Date(Date.now() + 31 * 24 * 3600_000).toISOString() }, ['options.runAt']],
        [{ delaySeconds: 31 * 24 * 3600 }, ['options.delaySeconds']],
        [{ delaySeconds: -1 }, ['options.delaySeconds']],
        [{ delaySeconds: 5, runAt: new Date(Date.now() + 5_000).toISOString() }, ['options.delaySeconds']],
        [{ runAt: 'tomorrow' }, undefined],
      ] as const;
      for (const [options, fields] of refusals) {
        const refused = await gql(api.url, CREATE_SLEEP, { input: { duration: 1 }, options });
        expect(refused.errors?.[0]?.extensions?.code, JSON.stringify(options)).toBe('BAD_USER_INPUT');
        if (fields) expect(problemsOf(refused.errors)).toEqual(fields);
      }
      expect(await taskRecords()).toBe(1);
      expect(await jobsWaiting()).toBe(0);
    });
  });

  describe('priorities', () => {
    it('should start lower numbers first, equal ones in order of creation, and tasks without one last', async () => {
      const api = await stack.startApi();
      const client = wsClient(api.url);
      try {
        const updates = watch<{ taskUpdated: OptionsTask }>(client, TASK_UPDATED);
        const priorities = [null, 5, 1, null, 5, 1000, 1];
        const ids: string[] = [];
        for (const priority of priorities) {
          const { createCalculationTask } = await gqlData<{ createCalculationTask: OptionsTask }>(
            api.url,
            CREATE_CALCULATION,
            { input: { numbers: [ids.length], operation: 'SUM' }, options: { priority } },
          );
          expect(createCalculationTask.priority).toBe(priority);
          ids.push(createCalculationTask.id);
        }
        await stack.startWorker({ concurrency: 1 });
        await waitFor(
          () => updates.values.filter((update) => update.taskUpdated.state === 'COMPLETED').length === ids.length,
          { what: 'every task to complete' },
        );
        const started = updates.values
          .filter((update) => update.taskUpdated.state === 'ACTIVE')
          .map((update) => ids.indexOf(update.taskUpdated.id));
        // By creation: 0 none, 1 p5, 2 p1, 3 none, 4 p5, 5 p1000, 6 p1.
        expect(started).toEqual([2, 6, 1, 4, 5, 0, 3]);
      } finally {
        await client.dispose();
      }
    });

    it('should refuse a priority out of range', async () => {
      const api = await stack.startApi();
      for (const priority of [0, 1001, -3]) {
        const refused = await gql(api.url, CREATE_SLEEP, { input: { duration: 1 }, options: { priority } });
        expect(problemsOf(refused.errors)).toEqual(['options.priority']);
      }
      expect(await taskRecords()).toBe(0);
    });
  });

  describe('time limits', () => {
    it("should fail a task past its own time limit, naming it, and keep to the worker's when that is lower", async () => {
      const api = await stack.startApi();
      const limited = await createSleep(api.url, 3, { timeoutSeconds: 1 });
      expect(limited.timeoutSeconds).toBe(1);
      const looser = await createSleep(api.url, 3, { timeoutSeconds: 60 });
      await stack.startWorker({ maxTimeoutSeconds: 2 });
      await untilState(api.url, limited.id, 'FAILED');
      expect((await taskOf(api.url, limited.id))!).toMatchObject({
        error: 'sleep of 3 s reached its time limit of 1 s (timeoutSeconds)',
      });
      await untilState(api.url, looser.id, 'FAILED');
      expect((await taskOf(api.url, looser.id))!.error).toBe(
        "sleep of 3 s reached the worker's max timeout of 2 s (WORKER_MAX_TIMEOUT)",
      );
      const logs = (await taskOf(api.url, limited.id))!.logs!;
      expect(logs.at(-1)).toMatchObject({
        level: 'error',
        message: 'failed on attempt 1: sleep of 3 s reached its time limit of 1 s (timeoutSeconds)',
      });
    });

    it("should refuse a time limit above the workers' (WORKER_MAX_TIMEOUT)", async () => {
      const api = await stack.startApi({ tasks: { options: { maxTimeoutMs: 100_000 } } });
      const refused = await gql(api.url, CREATE_SLEEP, { input: { duration: 1 }, options: { timeoutSeconds: 101 } });
      expect(problemsOf(refused.errors)).toEqual(['options.timeoutSeconds']);
      expect(refused.errors?.[0]?.message).toContain('WORKER_MAX_TIMEOUT');
      expect((await createSleep(api.url, 1, { timeoutSeconds: 100 })).timeoutSeconds).toBe(100);
    });
  });

  describe('logs', () => {
    it("should keep what a run wrote: a sleep's start and end, a calculation's answer, a hand-back", async () => {
      const api = await stack.startApi();
      const worker = await stack.startWorker();
      const sleep = await createSleep(api.url, 1);
      const { createCalculationTask: sum } = await gqlData<{ createCalculationTask: OptionsTask }>(
        api.url,
        CREATE_CALCULATION,
        { input: { numbers: [1, 2, 3], operation: 'SUM' } },
      );
      await untilState(api.url, sleep.id, 'COMPLETED');
      await untilState(api.url, sum.id, 'COMPLETED');
      const messages = async (id: string) =>
        (await taskOf(api.url, id))!.logs!.map((line) => `${line.level} ${line.message}`);
      expect(await messages(sleep.id)).toEqual(['info sleeping 1 s', 'info slept 1 s']);
      expect(await messages(sum.id)).toEqual(['info SUM of 3 numbers = 6']);
      const [line] = (await taskOf(api.url, sum.id))!.logs!;
      expect(Math.abs(Date.parse(line!.at) - Date.parse((await taskOf(api.url, sum.id))!.finishedAt!))).toBeLessThan(
        5_000,
      );

      const long = await createSleep(api.url, 30);
      await untilState(api.url, long.id, 'ACTIVE');
      await worker.close(); // hands the task back after the stack's 2 s shutdown timeout
      await untilState(api.url, long.id, 'QUEUED');
      await waitFor(async () => (await messages(long.id)).length === 2, { what: 'the hand-back line' });
      expect((await messages(long.id))[1]).toMatch(
        /^warn handed back to the queue: worker .+ stopped before the task finished$/,
      );
      expect(await gqlData(api.url, LAST_LOG_LINE, { id: long.id })).toMatchObject({
        task: { logs: [{ level: 'warn' }] },
      });
    });

    it("should write an instant run's lines with its end, its failure included", async () => {
      const api = await stack.startApi();
      const failing = defineTask({
        ...calculationTask,
        instant: true,
        async run(_input, { log }) {
          log('about to fail', 'warn');
          throw new Error('no numbers today');
        },
      });
      const others = taskKinds.filter((kind) => kind.name !== calculationTask.name);
      await stack.startWorker({ kinds: [failing, ...others] });
      const { createCalculationTask: task } = await gqlData<{ createCalculationTask: OptionsTask }>(
        api.url,
        CREATE_CALCULATION,
        { input: { numbers: [1], operation: 'SUM' } },
      );
      await untilState(api.url, task.id, 'FAILED');
      expect((await taskOf(api.url, task.id))!.logs!.map((line) => `${line.level} ${line.message}`)).toEqual([
        'warn about to fail',
        'error failed on attempt 1: no numbers today',
      ]);
      expect(await stack.redis.pttl(stack.keys.logs(task.id))).toBeGreaterThan(0);
    });

    it('should keep the newest MAX_TASK_LOG_LINES lines, and go with its task', async () => {
      const api = await stack.startApi({ tasks: { resultTtlMs: 1_500 } });
      const chatty = defineTask({
        ...sleepTask,
        async run(_input, { log }) {
          for (let line = 1; line <= 30; line++) log(`line ${line}`);
          return { status: 'ok' as const };
        },
      });
      const others = taskKinds.filter((kind) => kind.name !== sleepTask.name);
      await stack.startWorker({ kinds: [chatty, ...others], maxLogLines: 10 });
      const kept = await createSleep(api.url, 1);
      const deleted = await createSleep(api.url, 1);
      await untilState(api.url, kept.id, 'COMPLETED');
      await untilState(api.url, deleted.id, 'COMPLETED');
      const logs = (await taskOf(api.url, kept.id))!.logs!;
      expect(logs.map((line) => line.message)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${21 + i}`));
      expect(await stack.redis.llen(stack.keys.logs(kept.id))).toBe(10);
      const refused = await gql(api.url, `query ($id: ID!) { task(id: $id) { logs(last: 0) { message } } }`, {
        id: kept.id,
      });
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

      await gqlData(api.url, DELETE_TASK, { id: deleted.id });
      expect(await stack.redis.exists(stack.keys.logs(deleted.id))).toBe(0);
      // Expired with its task, by the API's sweep.
      await waitFor(async () => (await stack.redis.exists(stack.keys.task(kept.id))) === 0, { what: 'the expiry' });
      expect(await stack.redis.exists(stack.keys.logs(kept.id))).toBe(0);
      expect(await stack.redis.keys(`${stack.keys.prefix}:logs:*`)).toEqual([]);
    });
  });
});
