import { randomUUID } from 'node:crypto';
import sleepTask from '../../tasks/sleep.js';
import { startService } from '../support/service.js';
import type { Suite } from '../support/suite.js';
import { createTaskBench, percentile } from '../support/tasks.js';

const LARGE = 100_000;
const SMALL = 100;
const REQUESTS = 400;
const QUERY = '{ tasks(first: 20) { totalCount pageInfo { endCursor } nodes { id state progress createdAt } } }';

/** Stores `count` queued task records straight through the store (no jobs: a list reads records only). */
async function fill(prefix: string, count: number) {
  const bench = createTaskBench(prefix);
  try {
    for (let i = 0; i < count; i += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, count - i) }, () =>
          bench.store.create({
            id: randomUUID(),
            name: sleepTask.name,
            total: 5,
            input: { duration: 5 },
            ttlMs: 3_600_000,
            owner: null,
          }),
        ),
      );
    }
  } finally {
    await bench.close();
  }
}

/** Median latency of the first page, one request at a time. */
async function medianLatency(url: string): Promise<number> {
  const ask = () =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
    });
  for (let i = 0; i < 50; i++) await (await ask()).json(); // warm up
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const answer = (await (await ask()).json()) as { errors?: unknown };
    times.push(performance.now() - started);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

export const listingSuite: Suite = {
  name: 'listing',
  description:
    `tasks(first: 20) over HTTP, median of ${REQUESTS} requests one at a time, with ${LARGE.toLocaleString('en')} ` +
    `stored tasks; baseline the same with ${SMALL} stored. A list reads a sorted-set index page, so the ` +
    'ratio should stay near 1. Lower is better.',
  async run(log) {
    const [large, small] = [await startService(), await startService()];
    try {
      const started = performance.now();
      await fill(large.prefix, LARGE);
      await fill(small.prefix, SMALL);
      log(`stored ${LARGE + SMALL} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const largeMs = await medianLatency(large.urls[0]!);
      const smallMs = await medianLatency(small.urls[0]!);
      log(`median: ${largeMs.toFixed(2)} ms with ${LARGE}, ${smallMs.toFixed(2)} ms with ${SMALL}`);
      return [
        {
          figure: `tasks(first: 20) median latency, ${LARGE.toLocaleString('en')} stored`,
          unit: 'ms',
          value: largeMs,
          baseline: `${SMALL} stored`,
          baselineValue: smallMs,
          goal: '<= 2',
        },
      ];
    } finally {
      await large.stop();
      await small.stop();
    }
  },
};
