import type { ApolloServerPlugin } from '@apollo/server';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../src/graphql/context.js';
import { CREATE_SLEEP, GET_TASK, LIST_TASKS } from './support/operations.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';

/**
 * Every request over HTTP goes through Apollo's whole pipeline, successes and failures alike: an
 * Apollo plugin (usage reporting, tracing, persisted queries...) sees each one start and end.
 */
describe("Apollo's request pipeline", () => {
  let stack: TestStack;
  let api: TestApi;
  const seen = { started: 0, resolved: 0, executed: 0, answered: 0 };
  const counting: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      seen.started++;
      return {
        async didResolveOperation() {
          seen.resolved++;
        },
        async executionDidStart() {
          seen.executed++;
        },
        async willSendResponse() {
          seen.answered++;
        },
      };
    },
  };

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi({ plugins: [counting] });
  });

  afterAll(() => stack.close());

  async function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type'), text, json: JSON.parse(text) };
  }

  it('should run every request through the plugins, each once, whatever its fate', async () => {
    const before = { ...seen };
    const requests: [Record<string, unknown>, number][] = [
      [{ query: CREATE_SLEEP, variables: { input: { duration: 30 } } }, 200],
      [{ query: CREATE_SLEEP, variables: { input: { duration: 30 } } }, 200], // the same text, from the store
      [{ query: LIST_TASKS, variables: { first: 2 } }, 200],
      [{ query: GET_TASK, variables: { id: '00000000-0000-4000-8000-000000000000' } }, 200],
      [{ query: getIntrospectionQuery(), operationName: 'IntrospectionQuery' }, 200],
      [{ query: 'mutation { cancelTask(id: "not-a-task") { id } }' }, 200], // NOT_FOUND, refused before it runs
      [{ query: CREATE_SLEEP, variables: { input: { duration: 301 } } }, 200], // refused before it runs
      [{ query: CREATE_SLEEP, variables: { input: { duration: 'long' } } }, 400],
      [{ query: '{ nothing }' }, 400],
      [{ query: '{ workers { name }' }, 400],
      [{ query: 'subscription { taskUpdated { id } }' }, 400],
    ];
    for (const [body, status] of requests) {
      const answer = await post(body);
      expect([answer.status, answer.text], JSON.stringify(body).slice(0, 80)).toEqual([status, expect.any(String)]);
      expect(answer.contentType).toBe('application/json; charset=utf-8');
    }
    expect(seen.started - before.started).toBe(requests.length);
    expect(seen.answered - before.answered).toBe(requests.length);
    // Three failed before the operation was resolved (an unknown field, a syntax error, a subscription);
    // the unknown task and the out-of-range input were refused at admission, after it; the rest ran.
    expect(seen.resolved - before.resolved).toBe(requests.length - 3);
    expect(seen.executed - before.executed).toBe(requests.length - 5);
    expect((await stack.jobCounts()).prioritized).toBe(2);
  });

  it('should answer in the content type the accept header asks for, and never let an answer be cached', async () => {
    const query = { query: '{ workers { name } }' };
    for (const [accept, status, type] of [
      [
        'application/graphql-response+json, application/json;q=0.9',
        200,
        'application/graphql-response+json; charset=utf-8',
      ],
      ['*/*', 200, 'application/json; charset=utf-8'],
      ['application/json', 200, 'application/json; charset=utf-8'],
      ['text/html', 406, null],
    ] as const) {
      const response = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify(query),
      });
      expect([accept, response.status]).toEqual([accept, status]);
      if (type) expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('should answer errors without stack traces', async () => {
    const answer = await post({ query: 'mutation { cancelTask(id: "not-a-task") { id } }' });
    expect(answer.json.errors[0].extensions).toEqual({ code: 'NOT_FOUND', id: 'not-a-task' });
    const invalid = await post({ query: '{ nothing }' });
    expect(invalid.json.errors[0].extensions.stacktrace).toBeUndefined();
    expect(invalid.text).not.toContain(process.cwd());
  });
});
