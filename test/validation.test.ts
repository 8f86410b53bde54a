import { describe, expect, it } from 'vitest';
import { gql } from './support/graphql.js';
import { CREATE_CALCULATION, CREATE_SLEEP, LIST_TASKS } from './support/operations.js';
import { useTestApi } from './support/test-api.js';

describe('invalid input', () => {
  const setup = useTestApi();

  const nothingStored = async () => {
    const counts = await setup.stack.jobCounts();
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(0);
    expect(await setup.stack.redis.zcard(setup.stack.keys.index({}))).toBe(0);
  };

  /** One error per bad value (graphql-js reports each), every one BAD_USER_INPUT naming the field. */
  const expectBadUserInput = (
    errors: { message: string; extensions?: Record<string, unknown> }[] | undefined,
    field: string,
  ) => {
    expect(errors?.length).toBeGreaterThan(0);
    for (const error of errors!) {
      expect(error.extensions!.code).toBe('BAD_USER_INPUT');
      expect(error.message).toContain(field);
    }
  };

  const sleepCases: [string, unknown, string][] = [
    ['a zero duration', { duration: 0 }, 'input.duration'],
    ['a negative duration', { duration: -5 }, 'input.duration'],
    ['a duration over 300 s', { duration: 301 }, 'input.duration'],
    ['a fractional duration', { duration: 1.5 }, 'duration'],
    ['a string duration', { duration: '10' }, 'duration'],
    ['a missing duration', {}, 'duration'],
    ['a null duration', { duration: null }, 'duration'],
    ['an unknown field', { duration: 3, extra: true }, 'extra'],
    ['no input at all', null, 'input'],
  ];

  it.each(sleepCases)('should refuse a sleep task with %s', async (_case, input, field) => {
    const { data, errors } = await gql(setup.api.url, CREATE_SLEEP, { input });
    expect(data ?? null).toBeNull();
    expectBadUserInput(errors, field);
    await nothingStored();
  });

  const calculationCases: [string, unknown, string][] = [
    ['no numbers', { numbers: [], operation: 'SUM' }, 'input.numbers'],
    ['101 numbers', { numbers: Array.from({ length: 101 }, (_, i) => i), operation: 'SUM' }, 'input.numbers'],
    ['a number beyond 32 bits', { numbers: [1, 2 ** 31], operation: 'SUM' }, 'numbers'],
    ['a fractional number', { numbers: [1, 2.5], operation: 'SUM' }, 'numbers'],
    ['numbers as strings', { numbers: ['1', '2'], operation: 'SUM' }, 'numbers'],
    ['a null among the numbers', { numbers: [1, null], operation: 'SUM' }, 'numbers'],
    ['an unknown operation', { numbers: [1, 2], operation: 'DIVIDE' }, 'operation'],
    ['a missing operation', { numbers: [1, 2] }, 'operation'],
    ['missing numbers', { operation: 'SUM' }, 'numbers'],
  ];

  it.each(calculationCases)('should refuse a calculation task with %s', async (_case, input, field) => {
    const { data, errors } = await gql(setup.api.url, CREATE_CALCULATION, { input });
    expect(data ?? null).toBeNull();
    expectBadUserInput(errors, field);
    await nothingStored();
  });

  it('should name the field and the limit in the message', async () => {
    const { errors } = await gql(setup.api.url, CREATE_SLEEP, { input: { duration: 301 } });
    expect(errors![0]!.message).toBe('Invalid input: input.duration: duration must be at most 300 seconds');
    expect(errors![0]!.extensions!.problems).toEqual([
      { field: 'input.duration', message: 'duration must be at most 300 seconds' },
    ]);
  });

  it.each([
    ['a page of 0', { first: 0 }, 'first'],
    ['a page of 101', { first: 101 }, 'first'],
    ['an unknown task name', { name: 'mine_bitcoin' }, 'name'],
    ['a name every JavaScript object has', { name: 'constructor' }, 'name'],
    ['a name of the prototype', { name: '__proto__' }, 'name'],
    ['a cursor that is not one', { after: 'bm9wZQ' }, 'after'],
    ['an unknown state', { state: 'SLEEPING' }, 'state'],
  ])('should refuse a list with %s', async (_case, variables, field) => {
    const { errors } = await gql(setup.api.url, LIST_TASKS, variables);
    expectBadUserInput(errors, field);
  });
});
