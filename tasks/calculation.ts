import { z } from 'zod';
import { defineTask } from 'task-service';

export const MAX_NUMBERS = 100;
/** Digits kept after the point when an average does not end (1/3); it is rounded half away from zero. */
const AVERAGE_FRACTION_DIGITS = 20;

const operations = ['SUM', 'PRODUCT', 'AVERAGE'] as const;
type Operation = (typeof operations)[number];
/** One schema for the input's and the result's operation: one GraphQL enum. */
const operation = z.enum(operations, { error: 'operation must be SUM, PRODUCT or AVERAGE' });

/** numerator / denominator as a decimal string, exact when it ends within the kept digits. */
export function divide(numerator: bigint, denominator: bigint, fractionDigits = AVERAGE_FRACTION_DIGITS): string {
  const negative = numerator < 0n !== denominator < 0n && numerator !== 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const scale = 10n ** BigInt(fractionDigits);
  const scaled = (n * scale * 2n + d) / (2n * d); // rounded half up on the magnitude
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(fractionDigits, '0').replace(/0+$/, '');
  const magnitude = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative && magnitude !== '0' ? `-${magnitude}` : magnitude;
}

export function calculate(numbers: readonly number[], op: Operation): string {
  const values = numbers.map(BigInt);
  const sum = values.reduce((total, value) => total + value, 0n);
  switch (op) {
    case 'SUM':
      return sum.toString();
    case 'PRODUCT':
      return values.reduce((product, value) => product * value, 1n).toString();
    case 'AVERAGE':
      return divide(sum, BigInt(values.length));
  }
}

/** Sums, multiplies or averages up to 100 integers, exactly. */
export default defineTask({
  name: 'calculation_task',
  description: 'Sums, multiplies or averages integers.',
  input: z.object({
    numbers: z
      .array(z.int32({ error: 'numbers must be 32-bit integers' }))
      .min(1, { error: 'numbers must hold at least 1 number' })
      .max(MAX_NUMBERS, { error: `numbers must hold at most ${MAX_NUMBERS} numbers` })
      .describe('The integers to compute from, each 32-bit.'),
    operation: operation.describe('What to compute from them.'),
  }),
  result: z.object({
    operation: operation.describe("What was computed: the task's operation."),
    value: z
      .string()
      .describe('Exact: SUM and PRODUCT as whole numbers of any size; AVERAGE as a decimal (20 places at most).'),
    count: z.int().describe('How many numbers it was computed from.'),
  }),
  steps: () => 1,
  // At most 100 numbers: even their exact product takes microseconds.
  instant: true,
  graphql: {
    typeNames: {
      result: 'CalculationResult',
      'input.operation': 'CalculationOperation',
      'result.operation': 'CalculationOperation',
    },
    descriptions: {
      CreateCalculationTaskInput: 'What a calculation task computes, and from what.',
      'CreateCalculationTaskInput.numbers': `1 to ${MAX_NUMBERS} integers, each 32-bit (GraphQL's Int).`,
      'CalculationTask.numbers': `The integers it computes from, 1 to ${MAX_NUMBERS}, as given.`,
      'CalculationTask.operation': 'What it computes.',
      CalculationOperation: 'What a calculation task computes from its numbers.',
      'CalculationOperation.SUM': 'Their sum, exact at any size.',
      'CalculationOperation.PRODUCT': 'Their product, exact at any size.',
      'CalculationOperation.AVERAGE': 'Their mean, exact when its decimal ends, else rounded to 20 places.',
    },
  },
  async run({ numbers, operation: op }, { log }) {
    const value = calculate(numbers, op);
    log(`${op} of ${numbers.length} number${numbers.length === 1 ? '' : 's'} = ${value}`);
    return { operation: op, value, count: numbers.length };
  },
});
