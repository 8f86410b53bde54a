import { z } from 'zod';
import { defineTask } from 'task-service';

const MIN_LIMIT = 2;
const MAX_LIMIT = 2_000_000_000;
/** Steps a large count reports: one per segment. */
const SEGMENTS = 100;
/** Numbers a segment covers at least: a smaller one would cost more in steps than in sieving. */
const MIN_SEGMENT = 1 << 16;
/** Odd numbers sieved at once: their marks (one byte each) fit in a core's cache. */
const BLOCK_ODDS = 1 << 18;

/** Numbers each segment covers, from 0 up; the last one may cover fewer. */
export function segmentSpan(limit: number): number {
  return Math.max(MIN_SEGMENT, Math.ceil((limit + 1) / SEGMENTS));
}

/** The segments (steps) of a count up to `limit`: about 100, fewer for a small limit. */
export function segmentCount(limit: number): number {
  return Math.ceil((limit + 1) / segmentSpan(limit));
}

/** The odd primes up to `upTo`, by a plain sieve: the ones that cross off the others. */
function oddPrimesUpTo(upTo: number): Uint32Array {
  const composite = new Uint8Array(upTo + 1);
  const primes: number[] = [];
  for (let n = 3; n <= upTo; n += 2) {
    if (composite[n]) continue;
    primes.push(n);
    for (let multiple = n * n; multiple <= upTo; multiple += 2 * n) composite[multiple] = 1;
  }
  return Uint32Array.from(primes);
}

/** The odd primes in [low, high), crossed off in `marks` (at least (high - low) / 2 + 1 long). */
function countOddPrimesIn(low: number, high: number, primes: Uint32Array, marks: Uint8Array): number {
  const first = Math.max(3, low % 2 === 0 ? low + 1 : low);
  if (first >= high) return 0;
  // marks[i] stands for first + 2i
  const size = Math.ceil((high - first) / 2);
  marks.fill(0, 0, size);
  for (const p of primes) {
    const square = p * p;
    if (square >= high) break;
    let start = square >= first ? square : Math.ceil(first / p) * p;
    if (start % 2 === 0) start += p;
    for (let i = (start - first) / 2; i < size; i += p) marks[i] = 1;
  }
  let count = 0;
  for (let i = 0; i < size; i++) count += 1 - marks[i]!;
  return count;
}

/**
 * How many primes are at most `limit`, by a segmented sieve of Eratosthenes over the odd numbers:
 * memory stays at a few hundred kilobytes whatever the limit. `onSegment` is called after each
 * segment (1 to segmentCount(limit)) with the highest number checked so far, and awaited.
 */
export async function countPrimes(
  limit: number,
  onSegment: (segment: number, checkedUpTo: number) => unknown = () => undefined,
): Promise<number> {
  if (limit < 2) return 0;
  const primes = oddPrimesUpTo(Math.floor(Math.sqrt(limit)));
  const marks = new Uint8Array(BLOCK_ODDS);
  const span = segmentSpan(limit);
  const segments = segmentCount(limit);
  let count = 1; // 2, the one even prime
  for (let segment = 1; segment <= segments; segment++) {
    const low = (segment - 1) * span;
    const high = Math.min(segment * span, limit + 1);
    for (let block = low; block < high; block += 2 * BLOCK_ODDS) {
      count += countOddPrimesIn(block, Math.min(block + 2 * BLOCK_ODDS, high), primes, marks);
    }
    await onSegment(segment, high - 1);
  }
  return count;
}

/**
 * Counts primes: CPU-bound work of up to about half a minute a core, which runs in a worker thread
 * so that the worker's other tasks keep their pace. A step per segment says how far it has checked.
 */
export default defineTask({
  name: 'prime_count_task',
  description:
    'Counts the primes up to `limit` with a segmented sieve, in a worker thread: one progress step a segment.',
  input: z.object({
    limit: z
      .int({ error: 'limit must be a whole number' })
      .min(MIN_LIMIT, { error: `limit must be at least ${MIN_LIMIT}` })
      .max(MAX_LIMIT, { error: `limit must be at most ${MAX_LIMIT}` })
      .describe('Count the primes up to this number.'),
  }),
  result: z.object({ count: z.int().describe('How many primes are at most the limit.') }),
  progress: z.object({ checkedUpTo: z.int().describe('Every number up to this one has been checked.') }),
  steps: ({ limit }) => segmentCount(limit),
  isolation: 'thread',
  async run({ limit }, { progress, log }) {
    log(`counting the primes up to ${limit} in ${segmentCount(limit)} segments`);
    const count = await countPrimes(limit, (segment, checkedUpTo) => progress(segment, { checkedUpTo }));
    log(`${count} primes up to ${limit}`);
    return { count };
  },
});
