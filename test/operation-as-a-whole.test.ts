import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SCHEDULES_PER_OWNER } from '../core/limits.js';
import { gql, gqlData, wsClient, type GraphQLResponse } from './support/graphql.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';
import { within } from '../testbed/wait.js';

type Transport = 'HTTP' | 'graphql-ws';
type Answer = GraphQLResponse<Record<string, { id: string } | boolean | null>>;

/** One operation over HTTP, or over a socket of its own: the data and errors it answered either way. */
async function send(
  transport: Transport,
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Answer> {
  if (transport === 'HTTP') return gql(url, query, variables);
  const client = wsClient(url);
  try {
    return await within(
      new Promise<Answer>((resolve) => {
        let answer: Answer = {};
        client.subscribe(
          { query, variables },
          {
            next: (result) => (answer = result as Answer),
            // A refusal before the operation runs is an `error` message: its list of errors.
            error: (errors) => resolve({ errors: errors as Answer['errors'] }),
            complete: () => resolve(answer),
          },
        );
      }),
      10_000,
      `the answer over graphql-ws to ${query}`,
    );
  } finally {
    await client.dispose();
  }
}

const transports: Transport[] = ['HTTP', 'graphql-ws'];
const codes = (answer: Answer) => answer.errors?.map((error) => error.extensions?.code) ?? [];
/** The ids of the tasks or schedules an answer holds. */
const idsIn = (answer: Answer) =>
  Object.values(answer.data ?? {}).flatMap((value) => (value && typeof value === 'object' ? [value.id] : []));

/**
 * An answer never hides work it started: a mutation is admitted as a whole before any of it runs,
 * so one whose fields cannot all succeed (an idempotency key taken by other input, schedules past
 * the limit, a task the operation itself deletes) creates nothing, whatever runs beside it.
 */
describe('a mutation admitted as a whole', () => {
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    stack = await createTestStack({ partitions: 2 });
    api = await stack.startApi();
  });
  afterAll(() => stack.close());

  const taskIds = async () => {
    const records = await Promise.all(
      stack.partitions.all.map(({ keys }) => stack.redis.keys(`${keys.prefix}:task:*`)),
    );
    return new Set(records.flat().map((key) => key.slice(key.lastIndexOf(':') + 1)));
  };
  const created = async <T>(run: () => Promise<T>) => {
    const before = await taskIds();
    const result = await run();
    return { result, tasks: [...(await taskIds())].filter((id) => !before.has(id)) };
  };
  const createWithKey = (duration: number, key: string) =>
    gqlData<{ createSleepTask: { id: string } }>(
      api.url,
      'mutation ($d: Int!, $k: String) { createSleepTask(input: { duration: $d }, options: { idempotencyKey: $k }) { id } }',
      { d: duration, k: key },
    ).then((data) => data.createSleepTask.id);

  describe.each(transports)('over %s', (transport) => {
    const unique = (name: string) => `${name}-${transport}-${Math.random().toString(36).slice(2)}`;

    it('should refuse with CONFLICT, creating nothing, a mutation whose key was taken by other input', async () => {
      const key = unique('taken');
      const first = await createWithKey(9, key);
      const { result, tasks } = await created(() =>
        send(
          transport,
          api.url,
          `mutation ($k: String) {
            a: createSleepTask(input: { duration: 1 }) { id }
            b: createSleepTask(input: { duration: 2 }, options: { idempotencyKey: $k }) { id }
          }`,
          { k: key },
        ),
      );
      expect(codes(result)).toEqual(['CONFLICT']);
      expect(result.errors![0]!.extensions).toMatchObject({ idempotencyKey: key, id: first });
      expect(result.data ?? null).toBeNull();
      expect(tasks).toEqual([]);
    });

    it('should refuse one key given twice with two inputs in one mutation, and answer one task to one input given twice', async () => {
      const key = unique('twice');
      const twice = (second: number) =>
        created(() =>
          send(
            transport,
            api.url,
            `mutation ($k: String, $second: Int!) {
              a: createSleepTask(input: { duration: 1 }) { id }
              b: createSleepTask(input: { duration: 3 }, options: { idempotencyKey: $k }) { id }
              c: createSleepTask(input: { duration: $second }, options: { idempotencyKey: $k }) { id }
            }`,
            { k: key, second },
          ),
        );
      const refused = await twice(4);
      expect(codes(refused.result)).toEqual(['CONFLICT']);
      expect(refused.result.data ?? null).toBeNull();
      expect(refused.tasks).toEqual([]);

      const same = await twice(3);
      expect(same.result.errors).toBeUndefined();
      const { a, b, c } = same.result.data as Record<string, { id: string }>;
      expect(b!.id).toBe(c!.id);
      expect(same.tasks.sort()).toEqual([a!.id, b!.id].sort());
    });

    it('should give back the keys it held once it has run or been refused', async () => {
      const key = unique('given-back');
      const first = await createWithKey(3, key);
      const again = `mutation ($k: String) { a: createSleepTask(input: { duration: 3 }, options: { idempotencyKey: $k }) { id } }`;
      expect((await send(transport, api.url, again, { k: key })).data).toEqual({ a: { id: first } });
      await gqlData(api.url, 'mutation ($id: ID!) { deleteTask(id: $id) }', { id: first });
      // Its task gone and no operation holding it, the key is free for other input.
      expect(await createWithKey(4, key)).not.toBe(first);

      const refused = unique('refused');
      const notFound = `mutation ($k: String) {
        a: createSleepTask(input: { duration: 3 }, options: { idempotencyKey: $k }) { id }
        b: retryTask(id: "x") { id }
      }`;
      expect(codes(await send(transport, api.url, notFound, { k: refused }))).toEqual(['NOT_FOUND']);
      await createWithKey(4, refused);
    });

    it('should refuse with NOT_FOUND, creating and deleting nothing, a mutation that retries or deletes a task it has deleted', async () => {
      const { cancelTask: cancelled } = await gqlData<{ cancelTask: { id: string } }>(
        api.url,
        'mutation ($id: ID!) { cancelTask(id: $id) { id } }',
        {
          id: (await gqlData(api.url, 'mutation { createSleepTask(input: { duration: 5 }) { id } }')).createSleepTask
            .id,
        },
      );
      for (const then of ['retryTask(id: $id) { id }', 'deleteTask(id: $id)', 'cancelTask(id: $id) { id }']) {
        const { result, tasks } = await created(() =>
          send(
            transport,
            api.url,
            `mutation ($id: ID!) {
              a: createSleepTask(input: { duration: 1 }) { id }
              b: deleteTask(id: $id)
              c: ${then}
            }`,
            { id: cancelled.id },
          ),
        );
        expect(codes(result), then).toEqual(['NOT_FOUND']);
        expect(result.errors![0]!.extensions!.id).toBe(cancelled.id);
        expect(tasks, then).toEqual([]);
        expect((await taskIds()).has(cancelled.id), `${then}: the task is still there`).toBe(true);
      }
      const unknown = await created(() =>
        send(
          transport,
          api.url,
          'mutation { a: createSleepTask(input: { duration: 1 }) { id } b: deleteTask(id: "x") }',
        ),
      );
      expect(codes(unknown.result)).toEqual(['NOT_FOUND']);
      expect(unknown.tasks).toEqual([]);
    });
  });

  it('should let only one of two mutations at once, one over each transport, take the last schedules, hiding nothing', async () => {
    const own = await createTestStack({ partitions: 2 });
    try {
      const ownApi = await own.startApi();
      const yearly = { cron: '0 0 1 1 *' };
      const SCHEDULE = `mutation ($schedule: ScheduleInput!) {
        createSleepTaskSchedule(input: { duration: 1 }, schedule: $schedule) { id }
      }`;
      for (let i = 0; i < MAX_SCHEDULES_PER_OWNER - 5; i++) await gqlData(ownApi.url, SCHEDULE, { schedule: yearly });
      const fiveMore = `mutation ($schedule: ScheduleInput!) {
        t: createSleepTask(input: { duration: 1 }) { id }
        ${[1, 2, 3, 4, 5].map((i) => `s${i}: createSleepTaskSchedule(input: { duration: 1 }, schedule: $schedule) { id }`).join(' ')}
      }`;
      const answers = await Promise.all(
        transports.map((transport) => send(transport, ownApi.url, fiveMore, { schedule: yearly })),
      );

      const admitted = answers.filter((answer) => !answer.errors);
      expect(admitted).toHaveLength(1);
      expect(answers.filter((answer) => answer.errors).map(codes)).toEqual([['TOO_MANY_SCHEDULES']]);
      expect(answers.find((answer) => answer.errors)!.data ?? null).toBeNull();
      const { taskSchedules } = await gqlData<{ taskSchedules: { id: string }[] }>(
        ownApi.url,
        '{ taskSchedules { id } }',
      );
      expect(taskSchedules).toHaveLength(MAX_SCHEDULES_PER_OWNER);
      const answered = idsIn(admitted[0]!);
      const { tasks } = await gqlData<{ tasks: { nodes: { id: string }[] } }>(ownApi.url, '{ tasks { nodes { id } } }');
      expect(tasks.nodes.map((task) => task.id)).toEqual([answered[0]]);
      expect(answered.slice(1).every((id) => taskSchedules.some((schedule) => schedule.id === id))).toBe(true);
    } finally {
      await own.close();
    }
  });

  it('should give a key to one of many mutations at once that ask it for other input, hiding no task', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `raced-${round}`;
      const { result: answers, tasks } = await created(() =>
        Promise.all(
          [1, 2, 3, 4].map((duration, i) =>
            send(
              transports[i % 2]!,
              api.url,
              `mutation ($k: String, $d: Int!) {
                a: createSleepTask(input: { duration: 7 }) { id }
                b: createSleepTask(input: { duration: $d }, options: { idempotencyKey: $k }) { id }
              }`,
              { k: key, d: duration },
            ),
          ),
        ),
      );
      const admitted = answers.filter((answer) => !answer.errors);
      expect(admitted.length, `round ${round}`).toBe(1);
      for (const answer of answers.filter((refused) => refused.errors)) expect(codes(answer)).toEqual(['CONFLICT']);
      expect(tasks.sort()).toEqual(idsIn(admitted[0]!).sort());
    }
  });
});
