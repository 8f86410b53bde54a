import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, type Registry } from 'prom-client';

/**
 * The Prometheus metrics both processes have. Each process keeps them in a registry of its own,
 * made by its composition root; their names are a contract (a KEDA ScaledObject and dashboards
 * read them), so they never change. Every task change is counted once, by the process whose script
 * made it.
 */

const taskCounterHelp = {
  created: 'Tasks created, by kind (counted by the API that created them).',
  completed: 'Runs that ended COMPLETED, by kind (counted by the worker that ran them).',
  failed: 'Runs that ended FAILED, by kind (counted by the worker that ran them, or gave them up).',
  cancelled:
    'Tasks that became CANCELLED, by kind: by the API for a queued task it cancelled or a task it deleted, by the worker for a run it stopped.',
} as const;

export type TaskCounterName = keyof typeof taskCounterHelp;

/** `task_service_tasks_<name>_total{kind}`, with every kind of `kinds` at 0 from the start. */
export function createTaskCounter(
  register: Registry,
  name: TaskCounterName,
  kinds: readonly string[],
): Counter<'kind'> {
  const counter = new Counter({
    name: `task_service_tasks_${name}_total`,
    help: taskCounterHelp[name],
    labelNames: ['kind'],
    registers: [register],
  });
  // A series that appears only with its first task makes rate() miss that task.
  for (const kind of kinds) counter.inc({ kind }, 0);
  return counter;
}

/** `task_service_redis_reconnects_total{connection}`: a connection ready again after it was lost. */
export function createReconnectCounter(register: Registry, connections: readonly string[]): Counter<'connection'> {
  const counter = new Counter({
    name: 'task_service_redis_reconnects_total',
    help: 'Times a Redis connection was ready again after it had been lost, by connection.',
    labelNames: ['connection'],
    registers: [register],
  });
  for (const connection of connections) counter.inc({ connection }, 0);
  return counter;
}

/**
 * prom-client's own process and Node.js metrics (`process_*`, `nodejs_*`). Clearing the registry
 * drops them; prom-client 15 offers no way to stop its event-loop-delay monitor and its GC
 * observer, which stay with the process (one per registry).
 */
export function collectProcessMetrics(register: Registry): void {
  collectDefaultMetrics({ register });
}

/** Answers a scrape: the registry in Prometheus' text format. */
export async function sendMetrics(register: Registry, res: ServerResponse): Promise<void> {
  const body = await register.metrics();
  res.writeHead(200, { 'content-type': register.contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
