import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculate, divide } from '../tasks/calculation.js';
import { gqlData, watch, wsClient } from './support/graphql.js';
import { CREATE_CALCULATION, TASK_PROGRESS, type TaskData } from './support/operations.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';
import { within } from '../testbed/wait.js';

const MAX_INT = 2 ** 31 - 1;
const MIN_INT = -(2 ** 31);

describe('exact arithmetic', () => {
  it('should sum and multiply far beyond 2^53', () => {
    const big = Array.from({ length: 100 }, () => MAX_INT);
    expect(calculate(big, 'SUM')).toBe('214748364700');
    expect(calculate(big, 'PRODUCT')).toBe((BigInt(MAX_INT) ** 100n).toString());
    expect(calculate([MAX_INT, MAX_INT, MAX_INT], 'PRODUCT')).toBe('9903520300447984150353281023');
    expect(calculate([MIN_INT, MIN_INT, -1], 'PRODUCT')).toBe('-4611686018427387904');
  });

  it('should average exactly when the decimal ends, and to 20 places when it does not', () => {
    expect(calculate([1, 2], 'AVERAGE')).toBe('1.5');
    expect(calculate([2, 4], 'AVERAGE')).toBe('3');
    expect(calculate([1, 1, 2], 'AVERAGE')).toBe('1.33333333333333333333');
    expect(calculate([2, 2, 1], 'AVERAGE')).toBe('1.66666666666666666667');
    expect(calculate([-1, -2], 'AVERAGE')).toBe('-1.5');
    expect(calculate([MAX_INT, MAX_INT, MAX_INT - 1], 'AVERAGE')).toBe('2147483646.66666666666666666667');
    expect(divide(-1n, 3n)).toBe('-0.33333333333333333333');
    expect(divide(0n, 7n)).toBe('0');
    expect(divide(1n, 64n)).toBe('0.015625');
  });
});

describe('a calculation task', () => {
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi();
    await stack.startWorker();
  });

  afterAll(() => stack.close());

  it.each([
    ['SUM', [MAX_INT, MAX_INT, MAX_INT, MAX_INT, MAX_INT], '10737418235'],
    ['PRODUCT', Array.from({ length: 10 }, () => MAX_INT), (BigInt(MAX_INT) ** 10n).toString()],
    ['AVERAGE', [1, 2, 3, 4], '2.5'],
  ])('should answer %s exactly, with progress 100, through the worker', async (operation, numbers, value) => {
    const client = wsClient(api.url);
    try {
      const { createCalculationTask: task } = await gqlData<{ createCalculationTask: TaskData }>(
        api.url,
        CREATE_CALCULATION,
        {
          input: { numbers, operation },
        },
      );
      expect(task).toMatchObject({ name: 'calculation_task', state: 'QUEUED', numbers, operation, result: null });
      const progress = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id: task.id });
      await within(progress.ended, 5_000, 'completion');
      expect(progress.values.at(-1)!.taskProgress).toMatchObject({
        state: 'COMPLETED',
        progress: 100,
        current: 1,
        total: 1,
        result: { operation, value, count: numbers.length },
      });
    } finally {
      await client.dispose();
    }
  });
});
