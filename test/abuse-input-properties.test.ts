import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import calculationTask, { MAX_NUMBERS } from '../tasks/calculation.js';
import sleepTask from '../tasks/sleep.js';
import { gql } from './support/graphql.js';
import { CREATE_CALCULATION, CREATE_SLEEP } from './support/operations.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';

/** Cases per kind: enough to meet odd values often, few enough to stay within a few seconds. */
const RUNS = 200;

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
/** Numbers near every edge the schemas have, and values of every other JSON type. */
const anyNumber = fc.oneof(
  fc.integer({ min: -5, max: 305 }),
  int32,
  fc.constantFrom(0, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e21, 0.5, -1.5, 300.0001),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const anyValue = fc.oneof(anyNumber, fc.jsonValue());

/**
 * Inputs as a client could send them: any JSON at all, objects of the right shape with any
 * values, and ones with extra fields. The shaped ones make valid input common enough that both
 * sides of the property are seen.
 */
const sleepInputs = fc.oneof(
  fc.jsonValue(),
  fc.record({ duration: fc.integer({ min: -5, max: 305 }) }),
  fc.record({ duration: anyValue }),
  fc.record({ duration: anyNumber, extra: fc.jsonValue() }, { requiredKeys: ['duration'] }),
  fc.dictionary(fc.string(), fc.jsonValue()),
);

const calculationInputs = fc.oneof(
  fc.jsonValue(),
  fc.record({
    numbers: fc.array(int32, { maxLength: MAX_NUMBERS + 5 }),
    operation: fc.constantFrom('SUM', 'PRODUCT', 'AVERAGE', 'MEAN'),
  }),
  fc.record(
    {
      numbers: fc.oneof(
        fc.array(int32, { maxLength: MAX_NUMBERS + 5 }),
        fc.array(anyValue, { maxLength: 5 }),
        anyValue,
      ),
      operation: fc.oneof(fc.constantFrom('SUM', 'PRODUCT', 'AVERAGE', 'sum', 'DIVIDE', ''), fc.jsonValue()),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.string(), fc.jsonValue()),
);

interface Kind {
  name: string;
  mutation: string;
  field: string;
  inputs: fc.Arbitrary<unknown>;
  /** What the service must accept: the kind's own schema, with no field besides its own. */
  accepts: z.ZodType;
  /** The input as the created task shows it. */
  shownInput(task: Record<string, unknown>): unknown;
}

const kinds: Kind[] = [
  {
    name: 'createSleepTask',
    mutation: CREATE_SLEEP,
    field: 'createSleepTask',
    inputs: sleepInputs,
    accepts: z.strictObject(sleepTask.input.shape),
    shownInput: ({ duration }) => ({ duration }),
  },
  {
    name: 'createCalculationTask',
    mutation: CREATE_CALCULATION,
    field: 'createCalculationTask',
    inputs: calculationInputs,
    accepts: z.strictObject(calculationTask.input.shape),
    shownInput: ({ numbers, operation }) => ({ numbers, operation }),
  },
];

describe('any JSON as task input', () => {
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    stack = await createTestStack();
    // Only input is on trial here, not the creation rate limit (abuse-rate-limit.test.ts).
    api = await stack.startApi({ limits: { rateLimitCreates: 100_000 } });
  });

  afterAll(() => stack.close());

  const enqueued = async () => Object.values(await stack.jobCounts()).reduce((sum, count) => sum + count, 0);

  it.each(kinds)(
    'should answer $name with a valid task or BAD_USER_INPUT, and enqueue only what it created',
    async ({ mutation, field, inputs, accepts, shownInput }) => {
      let created = await enqueued();
      let seenCreated = 0;
      let seenRefused = 0;
      await fc.assert(
        fc.asyncProperty(inputs, async (input) => {
          const { data, errors } = await gql(api.url, mutation, { input });
          const task = data?.[field] as Record<string, unknown> | undefined;
          if (task) {
            expect(errors).toBeUndefined();
            expect(task.state).toBe('QUEUED');
            // What was created is valid input (GraphQL may have coerced it: 5 becomes [5] for a list).
            expect(accepts.safeParse(shownInput(task)).success).toBe(true);
            created++;
            seenCreated++;
          } else {
            expect(errors?.length).toBeGreaterThan(0);
            for (const error of errors!) expect(error.extensions?.code, error.message).toBe('BAD_USER_INPUT');
            // Whatever the kind's schema accepts as it is, the service accepts.
            expect(accepts.safeParse(input).success, JSON.stringify(input)).toBe(false);
            seenRefused++;
          }
          expect(await enqueued()).toBe(created);
        }),
        { numRuns: RUNS },
      );
      expect(await stack.redis.zcard(stack.keys.index({}))).toBe(created);
      // Both outcomes really happened; otherwise the property says little.
      expect(seenCreated).toBeGreaterThan(5);
      expect(seenRefused).toBeGreaterThan(50);
    },
  );
});
