import { InMemoryCache } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { TaskFieldsFragmentDoc, TaskKindsDocument } from '../client/src/graphql/generated/graphql.js';
import generated from '../client/src/graphql/generated/possible-types.js';
import { createTaskTypes, taskKindsPolicy } from '../client/src/graphql/task-types.js';

/** A task of a kind added to the service after the dashboard was built: a type codegen never saw. */
const task = {
  __typename: 'WordCountTask',
  id: 'p0-11111111-2222-4333-8444-555555555555',
  name: 'word_count_task',
  state: 'QUEUED',
  progress: 0,
  current: 0,
  total: 1,
  worker: null,
  attempts: 0,
  error: null,
  version: 1,
  createdAt: '2026-01-31T12:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  expiresAt: null,
  runAt: null,
  priority: null,
  timeoutSeconds: null,
  scheduleId: null,
  output: null,
} as const;

const kinds = {
  taskKinds: [
    {
      __typename: 'TaskKindInfo',
      name: 'word_count_task',
      typeName: 'WordCountTask',
      description: 'Counts the words of a text.',
      isolation: 'INLINE',
      inputSchema: { type: 'object', properties: {} },
      resultSchema: { type: 'object', properties: {} },
    },
  ],
} as const;

/** The dashboard's cache as apollo.ts makes it, as far as the types of tasks go. */
function dashboardCache() {
  const taskTypes = createTaskTypes(() => cache);
  const cache: InMemoryCache = new InMemoryCache({
    possibleTypes: generated.possibleTypes,
    typePolicies: { Query: { fields: { taskKinds: taskKindsPolicy(taskTypes) } } },
  });
  return { cache, taskTypes };
}

const id = (cache: InMemoryCache) => cache.identify({ __typename: task.__typename, id: task.id });

describe("the dashboard's cache and the kinds of task", () => {
  it('should not keep the fields of a task of a type it has not learnt: `... on Task` does not match it', () => {
    const { cache, taskTypes } = dashboardCache();
    expect(taskTypes.has('WordCountTask')).toBe(false);
    cache.writeFragment({ id: id(cache), fragment: TaskFieldsFragmentDoc, data: task as never });
    // What it reads is the type name alone: neither its id nor its state was written.
    expect(cache.readFragment({ id: id(cache), fragment: TaskFieldsFragmentDoc })).toEqual({
      __typename: 'WordCountTask',
    });
  });

  it('should learn every type taskKinds names, and keep and read its tasks whole from then on', () => {
    const { cache, taskTypes } = dashboardCache();
    cache.writeQuery({ query: TaskKindsDocument, data: kinds as never });
    expect(taskTypes.has('WordCountTask')).toBe(true);
    expect(taskTypes.has('SleepTask')).toBe(true);
    cache.writeFragment({ id: id(cache), fragment: TaskFieldsFragmentDoc, data: task as never });
    expect(cache.readFragment({ id: id(cache), fragment: TaskFieldsFragmentDoc })).toEqual(task);
  });
});
