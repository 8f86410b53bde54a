/**
 * A load peer, run with fork(): steps tasks the way a worker does (core/task-store.ts: start once,
 * then progress), each task `perSecond` times a second, spread evenly over the second in 10 ms ticks.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createPartitions } from '../../core/partitions.js';
import sleepTask from '../../tasks/sleep.js';
import { createTaskStore } from '../../core/task-store.js';
import type { StepperCommand, StepperReport } from './load-protocol.js';

const TICK_MS = 10;

let stop: (() => Promise<void>) | null = null;

function report(message: StepperReport) {
  process.send?.(message);
}

async function start(command: Extract<StepperCommand, { type: 'start' }>) {
  const redis = new Redis(command.redisUrl);
  const store = createTaskStore(redis, createPartitions(command.prefix, 1));
  const runId = randomUUID();
  for (const id of command.taskIds)
    await store.start({ id, name: sleepTask.name }, runId, 'bench-stepper', { attemptsMade: 0 });
  const current = new Map<string, number>();
  const ticksPerSecond = 1000 / TICK_MS;
  const perTick = (command.taskIds.length * command.perSecond) / ticksPerSecond;
  let cursor = 0;
  let owed = 0;
  let steps = 0;
  let lateTicks = 0;
  let busy = false;
  const timer = setInterval(() => {
    // A tick still sending when the next is due counts as late; its steps are carried over.
    owed += perTick;
    if (busy) {
      lateTicks++;
      return;
    }
    busy = true;
    const batch: Promise<boolean>[] = [];
    while (owed >= 1) {
      owed--;
      const id = command.taskIds[cursor++ % command.taskIds.length]!;
      const next = (current.get(id) ?? 0) + 1;
      current.set(id, next);
      batch.push(store.progress({ id, name: sleepTask.name }, runId, { current: next, total: 100_000 }));
      steps++;
    }
    Promise.all(batch)
      .catch((error: unknown) => report({ type: 'error', message: String(error) }))
      .finally(() => (busy = false));
  }, TICK_MS);
  stop = async () => {
    clearInterval(timer);
    await redis.quit();
    report({ type: 'stopped', steps, lateTicks });
    process.disconnect?.();
  };
  report({ type: 'running', tasks: command.taskIds.length });
}

process.on('message', (command: StepperCommand) => {
  const done = command.type === 'start' ? start(command) : (stop?.() ?? Promise.resolve());
  done.catch((error: unknown) => report({ type: 'error', message: String(error) }));
});
