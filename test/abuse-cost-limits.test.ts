import { getIntrospectionQuery, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { TaskUpdatedDocument, TasksDocument } from '../client/src/graphql/generated/graphql.js';
import { parseApiConfig } from '../src/config.js';
import { gql, gqlData, postGraphQL, watch, wsClient } from './support/graphql.js';
import { useTestApi } from './support/test-api.js';
import { within } from '../testbed/wait.js';

/** `count` aliased createSleepTask mutations in one document. */
function aliasedMutations(count: number): string {
  const fields = Array.from({ length: count }, (_, i) => `t${i}: createSleepTask(input: { duration: 1 }) { id }`);
  return `mutation {\n${fields.join('\n')}\n}`;
}

/** `__schema { types { ofType { ofType ... name } } }`, `levels` deep in all. */
function nestedIntrospection(levels: number): string {
  const ofTypes = levels - 3;
  return `{ __schema { types { ${'ofType { '.repeat(ofTypes)}name${' }'.repeat(ofTypes)} } } }`;
}

const costLimitOf = (error: { extensions?: Record<string, unknown> }) =>
  (error.extensions?.costLimit as { limit: string } | undefined)?.limit;

describe('cost limits on one operation', () => {
  const setup = useTestApi();

  const nothingEnqueued = async () => {
    const counts = await setup.stack.jobCounts();
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(0);
    expect(await setup.stack.redis.zcard(setup.stack.keys.index({}))).toBe(0);
  };

  it('should refuse hundreds of aliased mutations over HTTP before running any', async () => {
    const response = await postGraphQL(setup.api.url, { query: aliasedMutations(300) });
    expect(response.status).toBe(400);
    const { data, errors } = response.body;
    expect(data).toBeUndefined();
    // 300 root fields, and 600 fields in all (each with its id).
    expect(errors!.map(costLimitOf)).toEqual(['maxRootFields', 'maxFields']);
    expect(errors![0]!.message).toBe('The operation asks for too many root fields or aliases (300); the limit is 10.');
    expect(errors![0]!.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      costLimit: { limit: 'maxRootFields', max: 10, actual: 300 },
    });
    await nothingEnqueued();
  });

  it('should refuse them over graphql-ws too, and keep the socket usable', async () => {
    const client = wsClient(setup.api.url);
    try {
      const refused = watch(client, aliasedMutations(300));
      await within(refused.ended, 5_000, 'the refusal');
      const errors = refused.error as { message: string; extensions?: Record<string, unknown> }[];
      expect(errors.map(costLimitOf)).toEqual(['maxRootFields', 'maxFields']);
      expect(errors[0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
      await nothingEnqueued();

      const workers = watch(client, '{ workers { name } }');
      await within(workers.ended, 5_000, 'the query');
      expect(workers.values).toEqual([{ workers: [] }]);
    } finally {
      await client.dispose();
    }
  });

  it('should refuse deep nesting, over HTTP and graphql-ws, and count it through fragments', async () => {
    const { errors } = await gql(setup.api.url, nestedIntrospection(25));
    expect(errors).toHaveLength(1);
    expect(errors![0]!.message).toBe('The operation is nested too deeply (25); the limit is 20.');
    expect(errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');

    // Ten levels in each of three fragments: no one place is deep, with the two fields above and the name they are 33 deep.
    const tenLevels = (next: string) => `ofType { `.repeat(9) + `ofType { ${next} }` + ' }'.repeat(9);
    const fragments = `
      query Deep { __schema { types { ...A } } }
      fragment A on __Type { ${tenLevels('...B')} }
      fragment B on __Type { ${tenLevels('...C')} }
      fragment C on __Type { ${tenLevels('name')} }`;
    const throughFragments = await gql(setup.api.url, fragments);
    expect(throughFragments.errors![0]!.message).toBe('Operation "Deep" is nested too deeply (33); the limit is 20.');

    const client = wsClient(setup.api.url);
    try {
      const refused = watch(client, nestedIntrospection(25));
      await within(refused.ended, 5_000, 'the refusal');
      expect(costLimitOf((refused.error as { extensions?: Record<string, unknown> }[])[0]!)).toBe('maxDepth');
    } finally {
      await client.dispose();
    }
  });

  it('should stop parsing a document of more tokens than the limit, over HTTP and graphql-ws', async () => {
    // 30,000 tokens, some 250 kB: refused at once, before graphql-js's own rules spend time on it.
    const started = Date.now();
    const response = await postGraphQL(setup.api.url, { query: aliasedMutations(2_000) });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(response.status).toBe(400);
    // (sic: graphql-js's message)
    const expected = {
      message: 'Syntax Error: Document contains more that 5000 tokens. Parsing aborted.',
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    };
    expect(response.body).toMatchObject({ errors: [expected] });

    const client = wsClient(setup.api.url);
    try {
      const refused = watch(client, aliasedMutations(2_000));
      await within(refused.ended, 5_000, 'the refusal');
      expect(refused.error).toMatchObject([expected]);
    } finally {
      await client.dispose();
    }
    await nothingEnqueued();
  });

  it('should refuse too many fields, counting a fragment each time it is spread', async () => {
    const aliases = Array.from({ length: 600 }, (_, i) => `n${i}: name`).join(' ');
    const { errors } = await gql(setup.api.url, `{ workers { ${aliases} } }`);
    expect(errors![0]!.message).toBe('The operation asks for too many fields (601); the limit is 500.');

    // Each fragment spreads the one before twice: 2^30 fields once expanded, from a tiny document.
    const doubling = Array.from({ length: 30 }, (_, i) => `fragment F${i + 1} on Worker { ...F${i} ...F${i} }`);
    const bomb = `{ workers { ...F30 } }\nfragment F0 on Worker { name }\n${doubling.join('\n')}`;
    const started = Date.now();
    const exploded = await gql(setup.api.url, bomb);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(exploded.errors!.map(costLimitOf)).toContain('maxFields');
  });

  it('should still accept the dashboard, the playground and a normal mutation', async () => {
    // The dashboard's list (with its fragment) over HTTP, and its live subscription over graphql-ws.
    const list = await gql(setup.api.url, print(TasksDocument), { first: 100 });
    expect(list.errors).toBeUndefined();
    expect(list.data!.tasks).toMatchObject({ totalCount: 0 });

    const introspection = await gql(
      setup.api.url,
      getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }),
    );
    expect(introspection.errors).toBeUndefined();

    const client = wsClient(setup.api.url);
    try {
      const updates = watch(client, print(TaskUpdatedDocument));
      await new Promise((resolve) => setTimeout(resolve, 200)); // the subscription is in place
      const created = await gqlData(setup.api.url, 'mutation { createSleepTask(input: { duration: 2 }) { id } }');
      await within(
        (async () => {
          while (updates.values.length === 0 && !updates.error) await new Promise((r) => setTimeout(r, 20));
        })(),
        5_000,
        'the update',
      );
      expect(updates.error).toBeNull();
      expect(updates.values[0]).toMatchObject({ taskUpdated: { id: created.createSleepTask.id, state: 'QUEUED' } });
      updates.stop();
    } finally {
      await client.dispose();
    }
  });

  it('should accept up to the limit of root fields', async () => {
    const data = await gqlData(setup.api.url, aliasedMutations(parseApiConfig().limits.maxRootFields));
    expect(Object.keys(data)).toHaveLength(10);
    expect((await setup.stack.jobCounts()).prioritized).toBe(11); // and the one of the test before
  });

  it('should apply limits given to createApi', async () => {
    const strict = await setup.stack.startApi({ limits: { maxRootFields: 1, maxDepth: 2, maxFields: 3 } });
    const { errors } = await gql(strict.url, '{ workers { name uptime taskNames } tasks { totalCount } }');
    expect(errors!.map(costLimitOf)).toEqual(['maxRootFields', 'maxFields']);
    expect((await gql(strict.url, '{ tasks { pageInfo { endCursor } } }')).errors!.map(costLimitOf)).toEqual([
      'maxDepth',
    ]);
    expect((await gql(strict.url, '{ workers { name } }')).errors).toBeUndefined();
    await strict.close();
  });

  it('should apply the cost and alias limits given to createApi', async () => {
    const strict = await setup.stack.startApi({ limits: { maxCost: 10, maxAliasesPerField: 1 } });
    // Each of up to 100 workers with its name: 200.
    const { errors } = await gql(strict.url, '{ workers { name } }');
    expect(errors!.map(costLimitOf)).toEqual(['maxCost']);
    expect(errors![0]!.extensions).toMatchObject({ costLimit: { limit: 'maxCost', max: 10, actual: 200 } });
    const twice = await gql(strict.url, '{ tasks(first: 1) { totalCount count: totalCount } }');
    expect(twice.errors!.map(costLimitOf)).toEqual(['maxAliasesPerField']);
    expect((await gql(strict.url, '{ tasks(first: 2) { totalCount nodes { id } } }')).errors).toBeUndefined();
    await strict.close();
  });
});
