import { setTimeout as sleep } from 'node:timers/promises';
import sleepTask from '../../tasks/sleep.js';
import { startService, type RunningService } from '../support/service.js';
import type { Figure, Suite } from '../support/suite.js';
import { createTaskBench, percentile, type TaskBench } from '../support/tasks.js';

/** Delayed tasks waiting in one of the two services, due long after the suite has ended. */
const WAITING = 10_000;
const WAITING_DELAY_MS = 3_600_000;
/** Tasks of a batch, all due at the same moment, LEAD_MS after their creation begins. */
const BATCH = 300;
const LEAD_MS = 3_000;
/** Each task of a batch sleeps this long, so that the whole batch runs at once. */
const SLEEP_SECONDS = 1;
/** Enough for the whole batch at once (the worker runs one BullMQ worker per 250: two here). */
const CONCURRENCY = 500;
/** Measured rounds, after one round per service that is not counted (V8 compiles the hot paths). */
const ROUNDS = 5;
/** The goal: every task but the latest 1 % starts within this long of its start time. */
const GOAL_P99_MS = 1_000;

interface Target {
  key: 'waiting' | 'alone';
  label: string;
  service: RunningService;
  bench: TaskBench;
  /** The batches' tasks completed so far: the COMPLETED index counts them all. */
  completed: number;
}

/** How late each task of a batch started, in milliseconds: startedAt - runAt. */
type Lateness = number[];

async function expectDelayed(target: Target, expected: number): Promise<void> {
  const { delayed } = await target.bench.queue.getJobCounts('delayed');
  if (delayed !== expected) throw new Error(`${target.key}: ${delayed} delayed jobs, expected ${expected}`);
}

/**
 * One batch, due LEAD_MS from now, enqueued as the API enqueues a create with `runAt`; once every
 * task has completed, the lateness of each start as its record gives it.
 */
async function runBatch(target: Target, label: string, log: (line: string) => void): Promise<Lateness> {
  const { bench } = target;
  const createdFrom = Date.now();
  const runAt = createdFrom + LEAD_MS;
  const inputs = Array.from({ length: BATCH }, () => ({ duration: SLEEP_SECONDS }));
  const records = await bench.enqueue(sleepTask, inputs, BATCH, { runAt });
  const createdIn = Date.now() - createdFrom;
  // A batch still being created at its start time would measure its creation, not the worker.
  if (createdIn > LEAD_MS / 2) throw new Error(`${target.key}: creating the batch took ${createdIn} ms`);
  // When BullMQ has each job due (its timestamp plus its delay), against the task's runAt.
  const jobs = await Promise.all(records.map((record) => bench.queue.getJob(record.id)));
  const due = jobs.map((job) => (job ? job.timestamp + job.delay - runAt : NaN)).sort((a, b) => a - b);

  const completedIndex = bench.keys.index({ state: 'COMPLETED' });
  const expected = target.completed + BATCH;
  const deadline = runAt + (SLEEP_SECONDS + 30) * 1000;
  while ((await bench.redis.zcard(completedIndex)) < expected) {
    if (Date.now() > deadline) throw new Error(`${target.key}: the batch did not complete in time`);
    await sleep(50);
  }
  target.completed = expected;

  const finished = await Promise.all(records.map((record) => bench.store.get(record.id)));
  const lateness = finished.map((record, i) => {
    if (!record?.startedAt || record.runAt?.getTime() !== runAt) {
      throw new Error(`${target.key}: task ${records[i]!.id} has no start, or another start time`);
    }
    return record.startedAt.getTime() - runAt;
  });
  const sorted = [...lateness].sort((a, b) => a - b);
  log(
    `${target.key}, ${label}: started p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, ` +
      `first ${sorted[0]} ms, last ${sorted.at(-1)} ms after their start time; BullMQ has them due ` +
      `${due[0]}-${due.at(-1)} ms after it (${BATCH} tasks created in ${createdIn} ms)`,
  );
  return lateness;
}

async function startTarget(key: Target['key'], label: string): Promise<Target> {
  const service = await startService({ apis: 0, workers: 1, env: { WORKER_CONCURRENCY: String(CONCURRENCY) } });
  const bench = createTaskBench(service.prefix);
  // The worker is up once its record is in the registry.
  while ((await bench.redis.zcard(bench.keys.workers)) === 0) await sleep(100);
  return { key, label, service, bench, completed: 0 };
}

async function stopTarget(target: Target): Promise<void> {
  await target.bench.close();
  await target.service.stop();
}

export const delayedSuite: Suite = {
  name: 'delayed',
  description:
    `Batches of ${BATCH} sleep tasks (${SLEEP_SECONDS} s each) created with one runAt ${LEAD_MS / 1000} s ahead, ` +
    `as the API creates them, for one worker process at concurrency ${CONCURRENCY}; once all have completed, ` +
    "each task's startedAt - runAt from its record. Two services side by side, measured in turns: one with " +
    `${WAITING} delayed tasks waiting (due an hour later, and checked still waiting at the end), the baseline ` +
    `with none. One batch each not counted (V8 compiles the hot paths), then ${ROUNDS} rounds; the percentiles ` +
    `are over every task of the rounds (${ROUNDS * BATCH} per service). The goal: p99 within ` +
    `${GOAL_P99_MS / 1000} s with the others waiting. Lower is better.`,
  async run(log) {
    const targets: Target[] = [];
    try {
      targets.push(await startTarget('waiting', `the same batch, ${WAITING} delayed tasks waiting`));
      targets.push(await startTarget('alone', 'the same batch, no other delayed task waiting'));
      const [waiting, alone] = targets as [Target, Target];
      const created = Date.now();
      await waiting.bench.enqueue(
        sleepTask,
        Array.from({ length: WAITING }, () => ({ duration: SLEEP_SECONDS })),
        500,
        { runAt: created + WAITING_DELAY_MS },
      );
      log(`${WAITING} delayed tasks created in ${((Date.now() - created) / 1000).toFixed(1)} s`);
      await expectDelayed(waiting, WAITING);

      for (const target of targets) await runBatch(target, 'first batch, not counted', log);
      const lateness = new Map<Target['key'], Lateness>(targets.map((target) => [target.key, []]));
      for (let round = 1; round <= ROUNDS; round++) {
        // Each round starts with the other service, so that neither is always measured first.
        const order = round % 2 ? targets : [...targets].reverse();
        for (const target of order) lateness.get(target.key)!.push(...(await runBatch(target, `round ${round}`, log)));
      }
      await expectDelayed(waiting, WAITING);
      await expectDelayed(alone, 0);

      const sorted = (key: Target['key']) => [...lateness.get(key)!].sort((a, b) => a - b);
      const [ours, baseline] = [sorted('waiting'), sorted('alone')];
      const figure = (what: string, p: number): Figure => ({
        figure: `start lateness (startedAt - runAt) ${what}, ${WAITING} delayed waiting`,
        unit: 'ms',
        value: percentile(ours, p),
        baseline: alone.label,
        // A lateness of 0 ms would make the ratio infinite; 1 ms is the records' resolution.
        baselineValue: Math.max(1, percentile(baseline, p)),
        goal: null,
      });
      return [
        figure('p50', 50),
        figure('p99', 99),
        figure('max', 100),
        {
          figure: `start lateness (startedAt - runAt) p99, ${WAITING} delayed waiting`,
          unit: 'ms',
          value: percentile(ours, 99),
          baseline: 'the goal',
          baselineValue: GOAL_P99_MS,
          goal: '<= 1',
        },
      ];
    } finally {
      await Promise.all(targets.map(stopTarget));
    }
  },
};
