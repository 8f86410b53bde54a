/** What a benchmark suite measures: each figure beside its baseline, measured in the same run. */
export interface Figure {
  /** What is measured, such as "createSleepTask mutations/s". */
  figure: string;
  unit: string;
  value: number;
  /** What the figure is compared with, such as "bare node:http handler". */
  baseline: string;
  baselineValue: number;
  /** The goal as a ratio to the baseline, such as ">= 0.7" or "<= 8"; null when only reported. */
  goal: string | null;
  /**
   * For a figure measured in rounds, each round measuring it and its baseline back to back: the
   * median of the rounds' own ratios, which the machine's drift from one round to the next does not
   * move. It is then the figure's ratio; without it the ratio is value / baselineValue.
   */
  pairedRatio?: number;
}

export interface Suite {
  name: string;
  /** How to read the figures, printed above the table. */
  description: string;
  run(log: (line: string) => void): Promise<Figure[]>;
}

export function ratio(figure: Figure): number {
  return figure.pairedRatio ?? figure.value / figure.baselineValue;
}

/** Whether the ratio meets a goal written as ">= 0.7" or "<= 8"; null when there is no goal. */
export function meets(figure: Figure): boolean | null {
  if (!figure.goal) return null;
  const [, op, bound] = /^(>=|<=)\s*([\d.]+)/.exec(figure.goal) ?? [];
  if (!op || !bound) return null;
  return op === '>=' ? ratio(figure) >= Number(bound) : ratio(figure) <= Number(bound);
}

/** The middle of several measurements of one figure (the upper middle of an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}
