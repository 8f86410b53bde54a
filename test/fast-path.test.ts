import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CREATE_SLEEP, GET_TASK, LIST_TASKS } from './support/operations.js';
import { useTestApi } from './support/test-api.js';

/**
 * The HTTP fast path (http-handler.ts) answers JSON POSTs of known operations itself. Each request
 * here is sent twice: as is (the fast path), and with `"extensions": {}`, which Apollo reads as no
 * extensions but which the fast path leaves to Apollo. Both answers must be the same.
 */
describe('the HTTP fast path', () => {
  const setup = useTestApi();

  interface Answer {
    status: number;
    contentType: string | null;
    cacheControl: string | null;
    body: string;
  }

  async function post(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${setup.api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      cacheControl: response.headers.get('cache-control'),
      // Ids and times differ between two created tasks, and only they.
      body: (await response.text())
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>'),
    };
  }

  async function bothWays(body: Record<string, unknown>, headers?: Record<string, string>) {
    // Twice each, so that the second fast answer comes from an operation compiled before.
    const fast = [await post(body, headers), await post(body, headers)];
    const apollo = await post({ ...body, extensions: {} }, headers);
    expect(fast[0]).toEqual(apollo);
    expect(fast[1]).toEqual(apollo);
    return apollo;
  }

  it('should answer data as Apollo does', async () => {
    const created = await bothWays({ query: CREATE_SLEEP, variables: { input: { duration: 30 } } });
    expect(created).toMatchObject({ status: 200, contentType: 'application/json; charset=utf-8' });
    expect(created.cacheControl).toBe('no-store');
    expect(JSON.parse(created.body)).toMatchObject({ data: { createSleepTask: { state: 'QUEUED', duration: 30 } } });
    expect(created.body.endsWith('}\n')).toBe(true);

    const list = await bothWays({ query: LIST_TASKS, variables: { first: 2 } });
    expect(JSON.parse(list.body).data.tasks.totalCount).toBe(3);
    const unknown = await bothWays({ query: GET_TASK, variables: { id: '00000000-0000-4000-8000-000000000000' } });
    expect(JSON.parse(unknown.body)).toEqual({ data: { task: null } });
    await bothWays({ query: '{ workers { name } }', operationName: null, variables: null });
    // What GraphiQL and code generators ask first.
    const introspection = await bothWays({ query: getIntrospectionQuery(), operationName: 'IntrospectionQuery' });
    expect(JSON.parse(introspection.body).data.__schema.queryType.name).toBe('Query');
  });

  it('should answer in the content type the accept header asks for', async () => {
    const query = { query: '{ workers { name } }' };
    const accepts = [
      ['application/graphql-response+json, application/json;q=0.9', 200],
      ['*/*', 200],
      ['application/json', 200],
      ['text/html', 406],
    ] as const;
    for (const [accept, status] of accepts) {
      const answer = await bothWays(query, { accept });
      expect([accept, answer.status]).toEqual([accept, status]);
    }
    const preferred = await post(query, { accept: 'application/graphql-response+json, application/json;q=0.9' });
    expect(preferred.contentType).toBe('application/graphql-response+json; charset=utf-8');
  });

  it('should leave errors to Apollo, running each mutation once', async () => {
    const before = (await setup.stack.jobCounts()).wait;
    const invalid = await bothWays({ query: CREATE_SLEEP, variables: { input: { duration: 301 } } });
    expect(invalid.status).toBe(200);
    expect(JSON.parse(invalid.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const mistyped = await bothWays({ query: CREATE_SLEEP, variables: { input: { duration: 'long' } } });
    expect(mistyped.status).toBe(400);
    expect(JSON.parse(mistyped.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const missing = await bothWays({ query: CREATE_SLEEP });
    expect(missing.status).toBe(400);

    const unknownField = await bothWays({ query: '{ nothing }' });
    expect(JSON.parse(unknownField.body).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const syntax = await bothWays({ query: '{ workers { name }' });
    expect(JSON.parse(syntax.body).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const twoOperations = await bothWays({ query: 'query A { workers { name } } query B { workers { name } }' });
    expect(twoOperations.status).toBe(400);
    const subscription = await bothWays({ query: 'subscription { taskUpdated { id } }' });
    expect(subscription.status).toBe(400);
    expect(JSON.parse(subscription.body).errors[0].message).toContain('WebSocket');
    expect((await setup.stack.jobCounts()).wait).toBe(before);

    // A failing mutation ran once on the fast path; Apollo only formatted its errors.
    const service = await bothWays({ query: 'mutation { cancelTask(id: "not-a-task") { id } }' });
    expect(JSON.parse(service.body).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});
