import { CronExpressionParser } from 'cron-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idempotencyDigest, limitClient } from '../core/keys.js';
import { createCreationAllowance } from '../core/rate-limiter.js';
import { createScheduleQueues } from '../core/schedule-queue.js';
import { MAX_SCHEDULES_PER_OWNER } from '../core/limits.js';
import type { Job } from 'bullmq';
import { logger } from './support/stack.js';
import { createScheduleStore } from '../core/schedule-store.js';
import { createTaskQueues } from '../core/task-queue.js';
import { createTaskStore } from '../core/task-store.js';
import { createScheduleRuns } from '../worker/schedule-runs.js';
import { gql, gqlData, postGraphQL, watch, wsClient, type GraphQLResponse } from './support/graphql.js';
import { CREATE_SLEEP, GET_TASK, TASK_PROGRESS } from './support/operations.js';
import { freePort } from './support/processes.js';
import { parseExposition } from './support/prometheus.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';
import { signedToken } from './support/tokens.js';
import { waitFor, within } from '../testbed/wait.js';

const SCHEDULE_FIELDS = 'id name cron everySeconds timezone nextRunAt createdAt lastTask { id scheduleId state }';
const SCHEDULE_SLEEP = `mutation ($input: CreateSleepTaskInput!, $schedule: ScheduleInput!) {
  createSleepTaskSchedule(input: $input, schedule: $schedule) { ${SCHEDULE_FIELDS} }
}`;
const SCHEDULE_CALCULATION = `mutation ($input: CreateCalculationTaskInput!, $schedule: ScheduleInput!) {
  createCalculationTaskSchedule(input: $input, schedule: $schedule) { ${SCHEDULE_FIELDS} }
}`;
const LIST_SCHEDULES = `{ taskSchedules { ${SCHEDULE_FIELDS} } }`;
const DELETE_SCHEDULE = `mutation ($id: ID!) { deleteTaskSchedule(id: $id) }`;
const LIST_TASKS = `{ tasks(first: 100) { totalCount nodes { id name state scheduleId createdAt } } }`;

interface ScheduleData {
  id: string;
  name: string;
  cron: string | null;
  everySeconds: number | null;
  timezone: string | null;
  nextRunAt: string | null;
  createdAt: string;
  lastTask: { id: string; scheduleId: string; state: string } | null;
}

interface ListedTask {
  id: string;
  name: string;
  state: string;
  scheduleId: string | null;
  createdAt: string;
}

const SUM = { numbers: [1, 2, 3], operation: 'SUM' };
const secret = 'a-secret-of-the-tests-own-at-least-32-characters';

/** GraphQL over HTTP, with a bearer token when given one. */
async function as<T = Record<string, any>>(
  bearer: string | null,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResponse<T>> {
  return (await postGraphQL<T>(url, { query, variables }, { token: bearer })).body;
}

async function scheduleCalculation(url: string, schedule: Record<string, unknown>, bearer: string | null = null) {
  const { data, errors } = await as<{ createCalculationTaskSchedule: ScheduleData }>(
    bearer,
    url,
    SCHEDULE_CALCULATION,
    { input: SUM, schedule },
  );
  if (errors?.length || !data) throw new Error(`GraphQL errors: ${JSON.stringify(errors)}`);
  return data.createCalculationTaskSchedule;
}

async function tasksOf(url: string, scheduleId: string, bearer: string | null = null): Promise<ListedTask[]> {
  const { data } = await as<{ tasks: { nodes: ListedTask[] } }>(bearer, url, LIST_TASKS);
  return data!.tasks.nodes.filter((task) => task.scheduleId === scheduleId);
}

/** Waits until the schedule has made at least `count` tasks; answers them, oldest first. */
async function waitForRuns(url: string, scheduleId: string, count: number, bearer: string | null = null) {
  const tasks = await waitFor(
    async () => {
      const found = await tasksOf(url, scheduleId, bearer);
      return found.length >= count && found;
    },
    { timeoutMs: 20_000, what: `${count} runs of schedule ${scheduleId}` },
  );
  return tasks.reverse();
}

/** A schedule's record of a calculation every so many seconds, with no owner, as the API writes one. */
function storedSchedule(stack: TestStack, everySeconds: number) {
  const schedules = createScheduleStore(stack.redis, stack.partitions);
  return schedules.create(
    {
      id: stack.partitions.newTask(schedules.partitionOf(null)).id,
      kind: 'calculation_task',
      input: SUM,
      cron: null,
      everySeconds,
      timezone: null,
      owner: null,
      client: limitClient(null, '127.0.0.1'),
      ttlMs: 60_000,
    },
    MAX_SCHEDULES_PER_OWNER,
  );
}

/** Every BullMQ job scheduler of the stack, over its partitions' queues of schedule runs. */
async function jobSchedulers(stack: TestStack) {
  const queues = createScheduleQueues(stack.redis, stack.partitions);
  try {
    return (await Promise.all(queues.map((queue) => queue.getJobSchedulers()))).flat();
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
  }
}

/**
 * The due time of each run's task. A run's job id is `repeat:<schedule id>:<due time>` and the
 * idempotency key of the task it creates, which names that task; BullMQ's event stream of the
 * schedule's queue of runs names every run that completed (a skipped one too, left out here).
 */
async function dueTimes(stack: TestStack, scheduleId: string, owner: string | null = null) {
  const queues = createScheduleQueues(stack.redis, stack.partitions);
  const events = await stack.redis.xrange(queues[stack.partitions.ofTask(scheduleId)!.index]!.keys.events!, '-', '+');
  await Promise.all(queues.map((queue) => queue.close()));
  const jobIds = new Set<string>();
  for (const [, fields] of events) {
    const event = Object.fromEntries(fields.flatMap((field, i) => (i % 2 ? [] : [[field, fields[i + 1]]])));
    if (event.event === 'completed' && event.jobId?.startsWith(`repeat:${scheduleId}:`)) jobIds.add(event.jobId);
  }
  const runs = new Map<string, number[]>();
  for (const jobId of jobIds) {
    const digest = idempotencyDigest(owner, jobId);
    const entry = await stack.redis.get(stack.partitions.ofKey(digest).keys.idempotency(digest));
    if (!entry) continue; // a skipped run: it created nothing
    const taskId = entry.split(' ')[1]!;
    runs.set(taskId, [...(runs.get(taskId) ?? []), Number(jobId.slice(jobId.lastIndexOf(':') + 1))]);
  }
  return runs;
}

describe('task schedules', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack({ partitions: 3 });
  });

  afterEach(() => stack.close());

  it('should create an ordinary task at each run, carrying its scheduleId, listed and watchable', async () => {
    const api = await stack.startApi();
    await stack.startWorker();
    const created = await scheduleCalculation(api.url, { everySeconds: 1 });
    expect(created).toMatchObject({ name: 'calculation_task', everySeconds: 1, cron: null, lastTask: null });

    const [first, second] = await waitForRuns(api.url, created.id, 2);
    expect(first).toMatchObject({ name: 'calculation_task', scheduleId: created.id });
    expect(second!.id).not.toBe(first!.id);
    const { task } = await gqlData<{ task: Record<string, unknown> }>(api.url, GET_TASK, { id: first!.id });
    expect(task).toMatchObject({ state: 'COMPLETED', numbers: [1, 2, 3], result: { value: '6' } });

    // A run's task is watched like any other: from its snapshot to its end.
    const [next] = await waitFor(async () => {
      const tasks = await tasksOf(api.url, created.id);
      return tasks.length > 2 && tasks;
    });
    const client = wsClient(api.url);
    try {
      const progress = watch<{ taskProgress: { id: string; state: string } }>(client, TASK_PROGRESS, {
        id: next!.id,
      });
      await within(progress.ended, 10_000, 'the watch of a run');
      expect(progress.error).toBeNull();
      expect(progress.values.at(-1)!.taskProgress).toMatchObject({ id: next!.id, state: 'COMPLETED' });
    } finally {
      await client.dispose();
    }

    const { taskSchedules } = await gqlData<{ taskSchedules: ScheduleData[] }>(api.url, LIST_SCHEDULES);
    expect(taskSchedules).toHaveLength(1);
    const [listed] = taskSchedules;
    expect(listed).toMatchObject({ id: created.id, createdAt: created.createdAt });
    expect(listed!.lastTask).toMatchObject({ scheduleId: created.id });
    const runs = await tasksOf(api.url, created.id);
    expect(runs.map((run) => run.id)).toContain(listed!.lastTask!.id);
    // The next run is due within the interval.
    const nextRunAt = new Date(listed!.nextRunAt!).getTime();
    expect(Math.abs(nextRunAt - Date.now())).toBeLessThanOrEqual(2_000);
  });

  it('should make exactly one task per due time with two workers and two API instances', async () => {
    const [apiA, apiB] = [await stack.startApi(), await stack.startApi()];
    const workers = await Promise.all([stack.startWorker(), stack.startWorker()]);
    const created = await scheduleCalculation(apiA.url, { everySeconds: 1 });
    await waitForRuns(apiB.url, created.id, 5);
    // Once the workers have stopped (each finishing what it holds), every run has completed.
    await Promise.all(workers.map((worker) => worker.close()));
    const runs = await tasksOf(apiB.url, created.id);
    const due = await dueTimes(stack, created.id);

    // Each task was made by one run, and each run made one task: due times are distinct.
    expect([...due.keys()].sort()).toEqual(runs.map((run) => run.id).sort());
    for (const [taskId, times] of due) expect(times, `task ${taskId}`).toHaveLength(1);
    const times = [...due.values()].map(([at]) => at!).sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1_000);
  });

  it('should go on running after every process restarts between two runs', async () => {
    let api: TestApi = await stack.startApi();
    let worker = await stack.startWorker();
    const created = await scheduleCalculation(api.url, { everySeconds: 2 });
    const before = await waitForRuns(api.url, created.id, 1);
    await worker.close();
    await api.close();

    api = await stack.startApi();
    worker = await stack.startWorker();
    await waitForRuns(api.url, created.id, before.length + 2);
    await worker.close(); // no run comes between the two reads below
    const { taskSchedules } = await gqlData<{ taskSchedules: ScheduleData[] }>(api.url, LIST_SCHEDULES);
    expect(taskSchedules.map((schedule) => schedule.id)).toEqual([created.id]);
    expect(taskSchedules[0]!.lastTask?.id).toBe((await tasksOf(api.url, created.id))[0]!.id);
  });

  it('should stop the runs of a deleted schedule and keep the tasks it made', async () => {
    const api = await stack.startApi();
    await stack.startWorker();
    const deleted = await scheduleCalculation(api.url, { everySeconds: 1 });
    const past = await waitForRuns(api.url, deleted.id, 2);
    expect(await gqlData(api.url, DELETE_SCHEDULE, { id: deleted.id })).toEqual({ deleteTaskSchedule: true });
    const left = await tasksOf(api.url, deleted.id);

    // Another schedule shows the workers went on running for several due times meanwhile.
    const clock = await scheduleCalculation(api.url, { everySeconds: 1 });
    await waitForRuns(api.url, clock.id, 3);
    expect(await tasksOf(api.url, deleted.id)).toEqual(left);
    for (const task of past) {
      expect((await gqlData(api.url, GET_TASK, { id: task.id })).task).toMatchObject({ id: task.id });
    }
    expect((await jobSchedulers(stack)).map((scheduler) => scheduler.key)).toEqual([clock.id]);
    const { taskSchedules } = await gqlData<{ taskSchedules: ScheduleData[] }>(api.url, LIST_SCHEDULES);
    expect(taskSchedules.map((schedule) => schedule.id)).toEqual([clock.id]);
    const again = await gql(api.url, DELETE_SCHEDULE, { id: deleted.id });
    expect(again.errors![0]!.extensions!.code).toBe('NOT_FOUND');
  });

  it('should refuse a bad schedule, naming its field, and create nothing', async () => {
    const api = await stack.startApi();
    const refusals: [Record<string, unknown>, string, RegExp][] = [
      [{ cron: 'every day at noon' }, 'schedule.cron', /is not a cron expression/],
      [{ cron: '61 * * * *' }, 'schedule.cron', /is not a cron expression/],
      [{ cron: '0 0 30 2 *' }, 'schedule.cron', /is not a cron expression/],
      [{ cron: 'H * * * *' }, 'schedule.cron', /random/],
      [{ cron: '' }, 'schedule.cron', /must not be empty/],
      [{ cron: '0 9 * * *', timezone: 'Mars/Olympus' }, 'schedule.timezone', /not a time zone/],
      [{ cron: '0 9 * * *', everySeconds: 60 }, 'schedule', /not both/],
      [{}, 'schedule', /give cron or everySeconds/],
      [{ everySeconds: 0 }, 'schedule.everySeconds', /at least 1 second/],
      [{ everySeconds: 60, timezone: 'Europe/Paris' }, 'schedule.timezone', /cron only/],
    ];
    for (const [schedule, field, message] of refusals) {
      const { data, errors } = await gql(api.url, SCHEDULE_CALCULATION, { input: SUM, schedule });
      expect(data ?? null, JSON.stringify(schedule)).toBeNull();
      expect(errors![0]!.extensions, JSON.stringify(schedule)).toMatchObject({
        code: 'BAD_USER_INPUT',
        problems: [{ field, message: expect.stringMatching(message) }],
      });
    }
    // Bad input to the kind's own schema, and a good schedule beside a bad one in one operation.
    const badInput = await gql(api.url, SCHEDULE_SLEEP, { input: { duration: 0 }, schedule: { everySeconds: 5 } });
    expect(badInput.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ field: 'input.duration' }],
    });
    const half = await gql(
      api.url,
      `mutation {
        good: createSleepTaskSchedule(input: { duration: 1 }, schedule: { everySeconds: 5 }) { id }
        bad: createSleepTaskSchedule(input: { duration: 1 }, schedule: { cron: "nonsense" }) { id }
      }`,
    );
    expect(half.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ field: 'schedule.cron', message: expect.stringMatching(/nonsense/) }],
    });

    expect((await gqlData(api.url, LIST_SCHEDULES)).taskSchedules).toEqual([]);
    expect(await jobSchedulers(stack)).toEqual([]);
    // Records and indexes (`:schedule:<id>`, `:schedules:...`), not the queue of runs BullMQ keeps.
    const scheduleKeys = await stack.redis.keys(`${stack.keys.prefix.slice(0, -1)}*:schedule[:s]*`);
    expect(scheduleKeys).toEqual([]);
  });

  it('should run a cron expression in its time zone', async () => {
    const api = await stack.startApi();
    const created = await scheduleCalculation(api.url, { cron: '0 9 * * *', timezone: 'Asia/Tokyo' });
    const expected = CronExpressionParser.parse('0 9 * * *', { tz: 'Asia/Tokyo' }).next().toISOString()!;
    expect(created).toMatchObject({ cron: '0 9 * * *', timezone: 'Asia/Tokyo', everySeconds: null });
    expect(created.nextRunAt).toBe(expected);
    expect(new Date(expected).getUTCHours()).toBe(0); // 09:00 in Tokyo
    // With seconds, a cron expression runs as often as once a second.
    const often = await scheduleCalculation(api.url, { cron: '* * * * * *' });
    await stack.startWorker();
    await waitForRuns(api.url, often.id, 2);
  });

  it('should take one creation of the rate limit for each schedule', async () => {
    const api = await stack.startApi({ limits: { rateLimitCreates: 2 } });
    await scheduleCalculation(api.url, { cron: '@yearly' });
    const both = await gql(
      api.url,
      `mutation {
        a: createSleepTaskSchedule(input: { duration: 1 }, schedule: { cron: "@yearly" }) { id }
        b: createSleepTask(input: { duration: 1 }) { id }
      }`,
    );
    expect(both.errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    const { taskSchedules } = await gqlData<{ taskSchedules: ScheduleData[] }>(api.url, LIST_SCHEDULES);
    expect(taskSchedules).toHaveLength(1);
    expect(await jobSchedulers(stack)).toHaveLength(1);
  });

  it(`should keep an owner to ${MAX_SCHEDULES_PER_OWNER} schedules, even when they are asked for at once`, async () => {
    const api = await stack.startApi();
    const yearly = { cron: '0 0 1 1 *' };
    for (let i = 0; i < MAX_SCHEDULES_PER_OWNER - 5; i++) await scheduleCalculation(api.url, yearly);
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => gql(api.url, SCHEDULE_CALCULATION, { input: SUM, schedule: yearly })),
    );
    expect(burst.filter((answer) => !answer.errors).length).toBe(5);
    for (const answer of burst.filter((refused) => refused.errors)) {
      expect(answer.errors![0]!.extensions!.code).toBe('TOO_MANY_SCHEDULES');
    }
    const { taskSchedules } = await gqlData<{ taskSchedules: ScheduleData[] }>(api.url, LIST_SCHEDULES);
    expect(taskSchedules).toHaveLength(MAX_SCHEDULES_PER_OWNER);
    expect(await jobSchedulers(stack)).toHaveLength(MAX_SCHEDULES_PER_OWNER);

    await gqlData(api.url, DELETE_SCHEDULE, { id: taskSchedules[0]!.id });
    await scheduleCalculation(api.url, yearly);
  });

  it('should run a due schedule before a backlog of tasks', async () => {
    const api = await stack.startApi();
    await stack.startWorker({ concurrency: 1 }); // one task at a time in each partition
    for (let i = 0; i < 15; i++) await gqlData(api.url, CREATE_SLEEP, { input: { duration: 1 } });
    const created = await scheduleCalculation(api.url, { everySeconds: 3600 });
    await waitForRuns(api.url, created.id, 1);
    const { tasks } = await gqlData<{ tasks: { nodes: ListedTask[] } }>(api.url, LIST_TASKS);
    expect(tasks.nodes.filter((task) => task.name === 'sleep_task' && task.state === 'QUEUED').length).toBeGreaterThan(
      5,
    );
  });

  it("should make one task of a run however often its job runs, charged once, and record the latest run's", async () => {
    const schedules = createScheduleStore(stack.redis, stack.partitions);
    const store = createTaskStore(stack.redis, stack.partitions);
    const allowance = { limit: 2, windowSeconds: 3600 };
    const runs = createScheduleRuns({
      commands: stack.redis,
      partitions: stack.partitions,
      store,
      allowance: createCreationAllowance(stack.redis, stack.partitions, allowance),
      allowanceWindowMs: allowance.windowSeconds * 1000,
      logger,
    });
    const queues = createScheduleQueues(stack.redis, stack.partitions);
    const taskQueues = createTaskQueues(stack.redis, stack.partitions);
    try {
      const schedule = await storedSchedule(stack, 60);
      const jobOf = (dueAt: number, attemptsStarted = 1) =>
        ({ id: `repeat:${schedule.id}:${dueAt}`, repeatJobKey: schedule.id, timestamp: dueAt, attemptsStarted }) as Job;
      const [early, late] = [Date.now() - 60_000, Date.now()];
      expect(await runs.run(jobOf(late))).toBe('created');
      // Stalled, or retried: the same run again, which takes nothing more from the allowance.
      expect(await runs.run(jobOf(late, 2))).toBe('created');
      const { lastTaskId } = (await schedules.get(schedule.id))!;
      expect(await runs.run(jobOf(early))).toBe('created'); // an older run, ending after a newer one
      const page = await store.page({ first: 10 });
      expect(page.records.map((record) => record.scheduleId)).toEqual([schedule.id, schedule.id]);
      expect((await schedules.get(schedule.id))!).toMatchObject({ lastTaskId, skippedRuns: 0 });
      // The allowance of 2 is spent: the next run is skipped, and recorded once however often it runs.
      const skipped = Date.now() + 1_000;
      expect(await runs.run(jobOf(skipped))).toBe('skipped');
      expect(await runs.run(jobOf(skipped, 2))).toBe('skipped');
      expect((await store.page({ first: 10 })).totalCount).toBe(2);
      expect((await schedules.get(schedule.id))!).toMatchObject({ skippedRuns: 1, lastSkippedAt: new Date(skipped) });

      // A run whose schedule is gone makes nothing, and takes its scheduler with it, wherever it is.
      const index = stack.partitions.ofTask(schedule.id)!.index;
      for (const queue of [queues[index]!, taskQueues[index]!]) {
        await queue.upsertJobScheduler(schedule.id, { every: 60_000 }, { name: 'calculation_task', data: SUM });
      }
      await schedules.remove(schedule);
      expect(await runs.run(jobOf(Date.now() + 60_000))).toBeNull();
      expect((await store.page({ first: 10 })).totalCount).toBe(2);
      expect(await queues[index]!.getJobScheduler(schedule.id)).toBeUndefined();
      expect(await taskQueues[index]!.getJobScheduler(schedule.id)).toBeUndefined();
    } finally {
      await runs.close();
      await Promise.all([...queues, ...taskQueues].map((queue) => queue.close()));
    }
  });
});

describe('task schedules with authentication on', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack({ partitions: 2 });
  });

  afterEach(() => stack.close());

  it('should keep a schedule and its tasks to its creator', async () => {
    const api = await stack.startApi({ auth: { jwtSecret: secret } });
    await stack.startWorker();
    const [alice, bob] = [await signedToken(secret, 'alice'), await signedToken(secret, 'bob')];
    const created = await scheduleCalculation(api.url, { everySeconds: 1 }, alice);
    const runs = await waitForRuns(api.url, created.id, 2, alice);

    const bobs = await as<{ taskSchedules: ScheduleData[] }>(bob, api.url, LIST_SCHEDULES);
    expect(bobs.data!.taskSchedules).toEqual([]);
    expect(await tasksOf(api.url, created.id, bob)).toEqual([]);
    expect((await as(bob, api.url, GET_TASK, { id: runs[0]!.id })).data!.task).toBeNull();
    const refused = await as(bob, api.url, DELETE_SCHEDULE, { id: created.id });
    expect(refused.errors![0]!.extensions!.code).toBe('NOT_FOUND');

    const alices = await as<{ taskSchedules: ScheduleData[] }>(alice, api.url, LIST_SCHEDULES);
    expect(alices.data!.taskSchedules).toMatchObject([{ id: created.id, lastTask: { scheduleId: created.id } }]);
    // Bob's own schedule is his alone.
    const his = await scheduleCalculation(api.url, { cron: '@yearly' }, bob);
    expect((await as<{ taskSchedules: ScheduleData[] }>(bob, api.url, LIST_SCHEDULES)).data!.taskSchedules).toEqual([
      expect.objectContaining({ id: his.id, lastTask: null }),
    ]);
    expect(await as(alice, api.url, DELETE_SCHEDULE, { id: created.id })).toMatchObject({
      data: { deleteTaskSchedule: true },
    });
  });
});

describe('schedule runs, with every task slot held and allowances spent', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  /** The states of tasks, as `bearer` reads them. */
  const statesOf = (url: string, bearer: string, ids: readonly string[]) =>
    Promise.all(ids.map(async (id) => (await as(bearer, url, GET_TASK, { id })).data!.task.state as string));

  it("should create each run's task when due while another client's long sleeps hold every task slot", async () => {
    const api = await stack.startApi({ auth: { jwtSecret: secret } });
    await stack.startWorker({ concurrency: 2 });
    const [alice, bob] = [await signedToken(secret, 'alice'), await signedToken(secret, 'bob')];
    const sleeps: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { data } = await as<{ createSleepTask: { id: string } }>(bob, api.url, CREATE_SLEEP, {
        input: { duration: 60 },
      });
      sleeps.push(data!.createSleepTask.id);
    }
    await waitFor(
      async () => (await statesOf(api.url, bob, sleeps)).filter((state) => state === 'ACTIVE').length === 2,
      {
        what: "bob's sleeps in every slot",
      },
    );

    const created = await scheduleCalculation(api.url, { everySeconds: 2 }, alice);
    const runs = await waitForRuns(api.url, created.id, 3, alice);
    // The slots were held all along; each run's task then waits for one, as any task does.
    expect((await statesOf(api.url, bob, sleeps)).sort()).toEqual(['ACTIVE', 'ACTIVE', 'QUEUED']);
    expect(runs.map((run) => run.state)).toEqual(runs.map(() => 'QUEUED'));
    // Every due time from the first was acted on, none missed.
    const times = [...(await dueTimes(stack, created.id, 'alice')).values()].flat().sort((a, b) => a - b);
    expect(times.slice(1, 3).map((time, i) => time - times[i]!)).toEqual([2_000, 2_000]);
  });

  it("should hold an owner's 100 schedules of every second to the creation allowance of its own creates", async () => {
    // 120 at once, then 2 a second: the 100 schedules take 100 of it, their runs the rest (they
    // start with the worker, once all are made).
    const api = await stack.startApi({ auth: { jwtSecret: secret }, limits: { rateLimitCreates: 120 } });
    const alice = await signedToken(secret, 'alice');
    const start = Date.now();
    const tenSchedules = Array.from(
      { length: 10 },
      (_, i) =>
        `s${i}: createCalculationTaskSchedule(input: { numbers: [1], operation: SUM }, schedule: { everySeconds: 1 }) { id }`,
    ).join('\n');
    for (let i = 0; i < MAX_SCHEDULES_PER_OWNER / 10; i++) {
      expect((await as(alice, api.url, `mutation { ${tenSchedules} }`)).errors).toBeUndefined();
    }
    await stack.startWorker({ creationAllowance: { limit: 120, windowSeconds: 60 } });
    const allCreated = Date.now();
    await waitFor(
      async () => {
        const { data } = await as<{ taskSchedules: { nextRunAt: string }[] }>(
          alice,
          api.url,
          '{ taskSchedules { nextRunAt } }',
        );
        const comesDueAt = data!.taskSchedules.map(({ nextRunAt }) => new Date(nextRunAt).getTime());
        return comesDueAt.length === MAX_SCHEDULES_PER_OWNER && Math.min(...comesDueAt) >= allCreated + 4_000;
      },
      { timeoutMs: 30_000, what: 'every schedule to come due four times' },
    );
    const seconds = (Date.now() - start) / 1000;
    const { data } = await as<{ tasks: { totalCount: number } }>(alice, api.url, '{ tasks(first: 1) { totalCount } }');
    const runs = data!.tasks.totalCount;

    // Every creation since the first came from the one bucket: what it held, and what it refilled
    // since (one more for the bucket's clock, kept to the millisecond).
    expect(MAX_SCHEDULES_PER_OWNER + runs).toBeLessThanOrEqual(120 + Math.ceil(2 * seconds) + 1);
    expect(runs).toBeGreaterThanOrEqual(20);
    const { data: listed } = await as<{ taskSchedules: { skippedRuns: number }[] }>(
      alice,
      api.url,
      '{ taskSchedules { skippedRuns } }',
    );
    expect(listed!.taskSchedules.reduce((sum, { skippedRuns }) => sum + skippedRuns, 0)).toBeGreaterThan(100);
  });

  it('should skip a run its owner has no allowance left for, record and count it, and create the next that fits', async () => {
    // Two at once, then one every 4 s: the schedule takes one, its first run the other.
    const api = await stack.startApi({ limits: { rateLimitCreates: 2, rateLimitWindowMs: 8_000 } });
    const workerUrl = `http://127.0.0.1:${await freePort()}`;
    await stack.startWorker({
      creationAllowance: { limit: 2, windowSeconds: 8 },
      metricsPort: Number(new URL(workerUrl).port),
    });
    const created = await scheduleCalculation(api.url, { everySeconds: 1 });
    await waitForRuns(api.url, created.id, 2);
    // A run's job completes in BullMQ a moment after its task is created.
    const [first, second] = await waitFor(
      async () => {
        const times = [...(await dueTimes(stack, created.id)).values()].flat().sort((a, b) => a - b);
        return times.length >= 2 && times;
      },
      { what: 'two runs completed in the queue of runs' },
    );
    expect(second! - first!).toBeGreaterThanOrEqual(2_000); // the runs between created nothing

    const { taskSchedules } = await gqlData<{ taskSchedules: { skippedRuns: number; lastSkippedAt: string }[] }>(
      api.url,
      '{ taskSchedules { skippedRuns lastSkippedAt } }',
    );
    expect(taskSchedules[0]!.skippedRuns).toBeGreaterThanOrEqual(1);
    const lastSkippedAt = new Date(taskSchedules[0]!.lastSkippedAt).getTime();
    expect(lastSkippedAt).toBeGreaterThan(first!);
    expect((lastSkippedAt - first!) % 1_000).toBe(0); // a due time of its own
    const metrics = parseExposition(await (await fetch(`${workerUrl}/metrics`)).text());
    expect(metrics.value('task_service_schedule_runs_total', { outcome: 'skipped' })).toBeGreaterThanOrEqual(1);
    expect(metrics.value('task_service_schedule_runs_total', { outcome: 'created' })).toBeGreaterThanOrEqual(2);
  });

  it('should move the schedules an earlier version made on the tasks queue to the queue of runs, keeping their next run', async () => {
    const [tasks] = createTaskQueues(stack.redis, stack.partitions);
    try {
      const schedule = await storedSchedule(stack, 3600);
      // As earlier versions made it: its first run is due at once, on the tasks queue.
      const first = await tasks!.upsertJobScheduler(
        schedule.id,
        { every: 3_600_000 },
        { name: 'calculation_task', data: SUM, opts: { priority: 1, removeOnComplete: true } },
      );
      const api = await stack.startApi();
      await stack.startWorker();

      // That run is still made, from the tasks queue; the next is due an hour later, on the queue of runs.
      const [run] = await waitForRuns(api.url, schedule.id, 1);
      expect(run).toMatchObject({ scheduleId: schedule.id });
      expect(await tasks!.getJobSchedulers()).toEqual([]);
      expect((await jobSchedulers(stack)).map(({ key, next }) => ({ key, next }))).toEqual([
        { key: schedule.id, next: Number(first!.id!.split(':').at(-1)) + 3_600_000 },
      ]);
      expect((await tasksOf(api.url, schedule.id)).length).toBe(1);
    } finally {
      await tasks!.close();
    }
  });
});
