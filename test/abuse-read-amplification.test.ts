import { parse, print } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { TasksDocument } from '../client/src/graphql/generated/graphql.js';
import { MAX_NUMBERS } from '../tasks/calculation.js';
import { parseApiConfig } from '../src/config.js';
import { gql, gqlData, postGraphQL, watch, wsClient } from './support/graphql.js';
import { CREATE_CALCULATION } from './support/operations.js';
import { useTestApi } from './support/test-api.js';
import { within } from '../testbed/wait.js';

const TASKS = 100;

/**
 * `aliases` copies of `numbers` over a page of 100 tasks: a few kilobytes of text, well inside the
 * limits on tokens, depth and fields, that would answer `aliases` × 100 × 100 numbers.
 */
function numbersProbe(aliases: number): string {
  const fields = Array.from({ length: aliases }, (_, i) => `n${i}: numbers`).join(' ');
  return `{ tasks(first: ${TASKS}) { nodes { ... on CalculationTask { ${fields} } } } }`;
}

const PROBE = numbersProbe(440);

const costLimitOf = (error: { extensions?: Record<string, unknown> }) =>
  (error.extensions?.costLimit as { limit: string } | undefined)?.limit;

describe('read amplification', () => {
  const setup = useTestApi();

  beforeAll(async () => {
    // A hundred numbers of ten digits each: the answer to the probe would be tens of megabytes.
    const numbers = Array.from({ length: MAX_NUMBERS }, (_, i) => 2_000_000_000 + i);
    // Ten at a time, 100 in all: well inside the rate limit of task creations.
    for (let batch = 0; batch < TASKS / 10; batch += 1) {
      await Promise.all(
        Array.from({ length: 10 }, () =>
          gqlData(setup.api.url, CREATE_CALCULATION, { input: { numbers, operation: 'SUM' } }),
        ),
      );
    }
  });

  it('should probe with a few kilobytes that the limits on tokens and fields let through', () => {
    expect(PROBE.length).toBeGreaterThan(5_500);
    expect(PROBE.length).toBeLessThan(7_000);
    expect(() => parse(PROBE, { maxTokens: parseApiConfig().limits.maxTokens })).not.toThrow();
    expect(440 + 2).toBeLessThanOrEqual(parseApiConfig().limits.maxFields); // the aliases, tasks and nodes
  });

  it('should refuse hundreds of aliases of numbers over a page of tasks over HTTP, before it runs', async () => {
    const started = Date.now();
    const response = await postGraphQL(setup.api.url, { query: PROBE });
    const { body } = response;
    // At once: answering it took seconds of the event loop and tens of megabytes.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(response.status).toBe(400);
    // No data at all: the request failed before execution started.
    expect(body).not.toHaveProperty('data');
    expect(body.errors!.map(costLimitOf)).toEqual(['maxCost', 'maxAliasesPerField']);
    expect(body.errors![0]!.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      costLimit: { limit: 'maxCost', max: 25_000, actual: 440 * TASKS * MAX_NUMBERS + TASKS + 1 },
    });
    expect(body.errors![1]!.message).toBe(
      'The operation selects the field "numbers" too many times in one selection set (440); the limit is 5.',
    );
  });

  it('should refuse it over graphql-ws too', async () => {
    const client = wsClient(setup.api.url);
    try {
      const started = Date.now();
      const refused = watch(client, PROBE);
      await within(refused.ended, 5_000, 'the refusal');
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(refused.values).toEqual([]);
      const errors = refused.error as { message: string; extensions?: Record<string, unknown> }[];
      expect(errors.map(costLimitOf)).toEqual(['maxCost', 'maxAliasesPerField']);
      expect(errors[0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
    } finally {
      await client.dispose();
    }
  });

  it('should stay healthy and still answer the dashboard a full page of tasks', async () => {
    expect((await fetch(`${setup.api.url}/healthz`)).status).toBe(200);
    const list = await gql(setup.api.url, print(TasksDocument), {});
    expect(list.errors).toBeUndefined();
    // The dashboard's page, which its query writes out (`first: 20`), and more to load after it.
    expect(list.data!.tasks.nodes).toHaveLength(20);
    expect(list.data!.tasks.pageInfo.hasNextPage).toBe(true);
    // Its rows: the kind and the state, not each task's hundred numbers (those are the detail's).
    expect(list.data!.tasks.nodes[0]).toMatchObject({ name: 'calculation_task', state: 'QUEUED' });

    const client = wsClient(setup.api.url);
    try {
      const workers = watch(client, '{ workers { name } }');
      await within(workers.ended, 5_000, 'the query over graphql-ws');
      expect(workers.values).toEqual([{ workers: [] }]);
    } finally {
      await client.dispose();
    }
  });
});
