import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationCost } from '../src/graphql/operation-cost.js';
import { buildTaskSchema } from '../src/graphql/schema.js';
import { gql, gqlData, postGraphQL, watch, wsClient } from './support/graphql.js';
import { LIST_TASKS, TASK_UPDATED } from './support/operations.js';
import { createTestStack } from './support/stack.js';
import { useTestApi } from './support/test-api.js';
import { within } from '../testbed/wait.js';

const valid = 'createSleepTask(input: { duration: 5 }) { id }';

/**
 * An operation is admitted as a whole before any of it runs: every creation's input is checked and
 * the whole creation allowance taken in one step, so an answer never hides a task it created.
 */
describe('admitting an operation', () => {
  const setup = useTestApi();

  const invalid = 'createSleepTask(input: { duration: 301 }) { id }';
  const queued = async () => (await setup.stack.jobCounts()).prioritized ?? 0;

  it('should refuse a mutation with one bad creation among good ones, creating nothing, over HTTP and graphql-ws', async () => {
    const before = await queued();
    const mutation = `mutation { a: ${valid} b: ${invalid} c: createCalculationTask(input: { numbers: [], operation: SUM }) { id } }`;
    const response = await postGraphQL(setup.api.url, { query: mutation });
    expect(response.status).toBe(200); // as a resolver's error is answered
    const { data, errors } = response.body as { data?: unknown; errors: any[] };
    expect(data).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message:
        'Invalid input: b: input.duration: duration must be at most 300 seconds; c: input.numbers: numbers must hold at least 1 number',
      extensions: {
        code: 'BAD_USER_INPUT',
        problems: [
          { field: 'input.duration', operationField: 'b', message: 'duration must be at most 300 seconds' },
          { field: 'input.numbers', operationField: 'c', message: 'numbers must hold at least 1 number' },
        ],
      },
    });

    const client = wsClient(setup.api.url);
    try {
      const overWs = watch(client, mutation);
      await within(overWs.ended, 5_000, 'the answer over graphql-ws');
      expect(overWs.values).toEqual([]);
      expect(overWs.error).toEqual([
        expect.objectContaining({ message: errors[0].message, extensions: errors[0].extensions }),
      ]);
    } finally {
      await client.dispose();
    }
    expect(await queued()).toBe(before);
  });

  it('should create exactly what its answers say when many requests of many creations race for the allowance', async () => {
    // An allowance that does not refill while the test runs: exactly 600 creations.
    const api = await setup.stack.startApi({ limits: { rateLimitCreates: 600, rateLimitWindowMs: 24 * 3_600_000 } });
    const before = await queued();
    const tenCreations = `mutation { ${Array.from({ length: 10 }, (_, i) => `t${i}: ${valid}`).join(' ')} }`;
    const answers = await Promise.all(Array.from({ length: 80 }, () => gql(api.url, tenCreations)));
    const created = answers.filter((answer) => !answer.errors);
    const refused = answers.filter((answer) => answer.errors);
    for (const answer of created) expect(Object.keys(answer.data!)).toHaveLength(10);
    for (const answer of refused) {
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors!.map((error) => error.extensions!.code)).toEqual(['RATE_LIMITED']);
    }
    expect(created.length).toBe(60);
    expect((await queued()) - before).toBe(created.length * 10);
  });
});

describe('the read budget', () => {
  it('should let each client spend its budget of query cost, over HTTP and graphql-ws alike, then refuse with RATE_LIMITED', async () => {
    const stack = await createTestStack();
    try {
      // LIST_TASKS costs 505, TASK_UPDATED 124: a budget of 1,100 over a day holds two lists and no more.
      const api = await stack.startApi({ limits: { readBudget: 1_100, rateLimitWindowMs: 24 * 3_600_000 } });
      for (let i = 0; i < 2; i++) expect((await gql(api.url, LIST_TASKS)).errors).toBeUndefined();
      const response = await postGraphQL(api.url, { query: LIST_TASKS });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      const { errors } = response.body as {
        errors: { message: string; extensions: Record<string, unknown> }[];
      };
      expect(errors[0]).toMatchObject({
        message: expect.stringMatching(/^Too many reads: try again in \d+ s$/),
        extensions: { code: 'RATE_LIMITED' },
      });

      const client = wsClient(api.url);
      try {
        const overWs = watch(client, TASK_UPDATED);
        await within(overWs.ended, 5_000, 'the refusal over graphql-ws');
        expect(overWs.error).toEqual([
          expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) }),
        ]);
      } finally {
        await client.dispose();
      }
      // A mutation of creations alone is the creation allowance's: it reads nothing.
      expect((await gql(api.url, `mutation { ${valid} }`)).errors).toBeUndefined();
    } finally {
      await stack.close();
    }
  });

  it('should charge a mutation what it answers, as a query of the same selection, and a mutation of creations alone nothing', async () => {
    const schema = await buildTaskSchema();
    const selection = '{ id state timeline { at state message } }';
    const [read, cancel] = [
      `query ($id: ID!) { task(id: $id) ${selection} }`,
      `mutation ($id: ID!) { cancelTask(id: $id) ${selection} }`,
    ];
    const cost = operationCost(schema, parse(cancel));
    expect(operationCost(schema, parse(read))).toBe(cost);
    const stack = await createTestStack();
    try {
      // Room for two cancels, over a day; creates, whatever they answer, spend none of it.
      const api = await stack.startApi({ limits: { readBudget: 2 * cost, rateLimitWindowMs: 24 * 3_600_000 } });
      const { createSleepTask: task } = await gqlData<{ createSleepTask: { id: string } }>(
        api.url,
        `mutation { ${valid} }`,
      );
      const createAnswering = `mutation { createSleepTask(input: { duration: 1 }) ${selection} }`;
      for (let i = 0; i < 3; i++) expect((await gql(api.url, createAnswering)).errors).toBeUndefined();
      for (let i = 0; i < 2; i++) expect((await gql(api.url, cancel, { id: task.id })).errors).toBeUndefined();
      const response = await postGraphQL(api.url, { query: cancel, variables: { id: task.id } });
      expect(response.status).toBe(429);
      expect(response.body).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
      expect((await gql(api.url, read, { id: task.id })).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

      const client = wsClient(api.url);
      try {
        const overWs = watch(client, cancel, { id: task.id });
        await within(overWs.ended, 5_000, 'the refusal over graphql-ws');
        expect(overWs.error).toEqual([
          expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) }),
        ]);
      } finally {
        await client.dispose();
      }
    } finally {
      await stack.close();
    }
  });
});

describe('the size of an answer', () => {
  it('should replace an answer larger than MAX_RESPONSE_BYTES with an error saying so', async () => {
    const stack = await createTestStack();
    try {
      const api = await stack.startApi({ limits: { maxResponseBytes: 2_000 } });
      for (let i = 0; i < 20; i++) await gql(api.url, `mutation { ${valid} }`);
      const response = await postGraphQL(api.url, {
        query: '{ tasks(first: 20) { nodes { id name state createdAt } } }',
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        errors: [
          {
            message: 'The answer is larger than 2000 bytes: ask for fewer fields or a smaller page',
            extensions: { code: 'RESPONSE_TOO_LARGE', maxBytes: 2_000 },
          },
        ],
      });
      expect((await gql(api.url, '{ tasks(first: 2) { nodes { id } } }')).errors).toBeUndefined();
    } finally {
      await stack.close();
    }
  });
});
