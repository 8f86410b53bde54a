import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildTaskSchema, printTaskSchema } from '../src/graphql/schema.js';
import { projectDir } from './support/stack.js';

const committed = readFileSync(join(projectDir, 'schema.graphql'), 'utf8');

describe('schema.graphql', () => {
  it('should be exactly what the code emits (run `npm run schema` after a change)', async () => {
    expect(committed).toBe(printTaskSchema(await buildTaskSchema()));
  });

  it('should hold the public contract', () => {
    const schema = buildSchema(committed);
    const fields = (type: string) =>
      Object.keys((schema.getType(type) as unknown as { getFields(): object }).getFields());
    expect(fields('Query')).toEqual(expect.arrayContaining(['task', 'tasks', 'workers']));
    expect(fields('Mutation')).toEqual(
      expect.arrayContaining(['createSleepTask', 'createCalculationTask', 'cancelTask', 'deleteTask']),
    );
    expect(fields('Subscription')).toEqual(expect.arrayContaining(['taskProgress', 'taskUpdated']));
    const taskFields = ['id', 'name', 'state', 'progress', 'current', 'total', 'worker', 'attempts', 'error'];
    const dateFields = ['createdAt', 'startedAt', 'finishedAt', 'expiresAt'];
    for (const type of ['Task', 'SleepTask', 'CalculationTask']) {
      expect(fields(type)).toEqual(expect.arrayContaining([...taskFields, ...dateFields]));
    }
    expect(fields('Worker').sort()).toEqual([
      'activeTasks',
      'concurrency',
      'id',
      'name',
      'startedAt',
      'taskNames',
      'uptime',
    ]);
    expect(() => parse(committed)).not.toThrow();
    const tasksArgs = schema.getQueryType()!.getFields().tasks!.args;
    expect(tasksArgs.map((arg) => [arg.name, String(arg.type), arg.defaultValue])).toEqual(
      expect.arrayContaining([
        ['first', 'Int', 20],
        ['after', 'String', undefined],
        ['state', 'TaskState', undefined],
        ['name', 'String', undefined],
      ]),
    );
  });
});
