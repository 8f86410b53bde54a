import { z } from 'zod';
import { defineTaskKind } from './task-kind.js';

export const CalculationOperation = { SUM: 'SUM', PRODUCT: 'PRODUCT', AVERAGE: 'AVERAGE' } as const;
export type CalculationOperation = (typeof CalculationOperation)[keyof typeof CalculationOperation];

const MIN_NUMBERS = 1;
export const MAX_NUMBERS = 100;

export const calculationTaskInput = z.object({
  numbers: z
    .array(z.int32({ error: 'numbers must be 32-bit integers' }))
    .min(MIN_NUMBERS, { error: `numbers must hold at least ${MIN_NUMBERS} number` })
    .max(MAX_NUMBERS, { error: `numbers must hold at most ${MAX_NUMBERS} numbers` }),
  operation: z.enum(CalculationOperation, { error: 'operation must be SUM, PRODUCT or AVERAGE' }),
});

const calculationTaskResult = z.object({
  operation: z.enum(CalculationOperation),
  /** Exact: whole decimal numbers of any size for SUM and PRODUCT, a decimal for AVERAGE. */
  value: z.string(),
  count: z.int(),
});

export type CalculationTaskInput = z.infer<typeof calculationTaskInput>;

/** Sums, multiplies or averages up to 100 integers, exactly. */
export const calculationTask = defineTaskKind({
  name: 'calculation_task',
  input: calculationTaskInput,
  result: calculationTaskResult,
  totalSteps: () => 1,
});
