import { calculationTask, type CalculationOperation } from '../../core/task-kinds/calculation-task.js';
import { defineProcessor } from './task-processor.js';

/** Digits kept after the point when an average does not end (1/3); it is rounded half away from zero. */
const AVERAGE_FRACTION_DIGITS = 20;

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

export function calculate(numbers: readonly number[], operation: CalculationOperation): string {
  const values = numbers.map(BigInt);
  const sum = values.reduce((total, value) => total + value, 0n);
  switch (operation) {
    case 'SUM':
      return sum.toString();
    case 'PRODUCT':
      return values.reduce((product, value) => product * value, 1n).toString();
    case 'AVERAGE':
      return divide(sum, BigInt(values.length));
  }
}

export const calculationTaskProcessor = defineProcessor({
  kind: calculationTask,
  // At most 100 numbers: even their exact product takes microseconds.
  instant: true,
  async run({ numbers, operation }, { log }) {
    const value = calculate(numbers, operation);
    log(`${operation} of ${numbers.length} number${numbers.length === 1 ? '' : 's'} = ${value}`);
    return { operation, value, count: numbers.length };
  },
});
