import { Gauge, Histogram, type Registry } from 'prom-client';
import { createReconnectCounter, createTaskCounter } from '../../core/metrics.js';
import type { TaskRecord } from '../../core/task-record.js';

/** Seconds: from half a millisecond (Redis next door, nothing queued) to five (something is wrong). */
const EVENT_DELAY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * What the API counts as it goes, one method per place that changes a count; the parts that count
 * are given this object, and the gauges read from Redis are in task-gauges.ts.
 */
export interface ApiMetrics {
  readonly register: Registry;
  taskCreated(kind: string): void;
  /** A task this API made CANCELLED: a queued one it cancelled, or one it deleted before it ended. */
  taskCancelled(kind: string): void;
  socketOpened(): void;
  socketClosed(): void;
  /** A subscription whose source stream runs, by its root field, until it ends. */
  subscriptionStarted(field: string): void;
  subscriptionEnded(field: string): void;
  /** A change that came over a channel (not a snapshot) is handed to a subscriber. */
  changeDelivered(record: TaskRecord): void;
  redisReconnected(connection: string): void;
}

export interface ApiMetricsOptions {
  /** Task kinds, shown at 0 before their first task. */
  kinds: readonly string[];
  /** The schema's subscription fields, shown at 0 before their first subscriber. */
  subscriptionFields: readonly string[];
  /** The API's Redis connections, by role. */
  connections: readonly string[];
}

export function createApiMetrics(
  register: Registry,
  { kinds, subscriptionFields, connections }: ApiMetricsOptions,
): ApiMetrics {
  const registers = [register];
  const created = createTaskCounter(register, 'created', kinds);
  const cancelled = createTaskCounter(register, 'cancelled', kinds);
  const reconnects = createReconnectCounter(register, connections);
  const openSockets = new Gauge({ name: 'task_service_open_sockets', help: 'WebSockets open on this API.', registers });
  const subscriptions = new Gauge({
    name: 'task_service_subscriptions',
    help: 'Subscriptions running on this API, by root field.',
    labelNames: ['field'],
    registers,
  });
  for (const field of subscriptionFields) subscriptions.set({ field }, 0);
  const eventDelay = new Histogram({
    name: 'task_service_event_delay_seconds',
    help: "From a task's change in Redis (Redis' clock) to its hand-off to a subscriber of this API (this host's clock).",
    buckets: EVENT_DELAY_BUCKETS,
    registers,
  });

  return {
    register,
    taskCreated: (kind) => created.inc({ kind }),
    taskCancelled: (kind) => cancelled.inc({ kind }),
    socketOpened: () => openSockets.inc(),
    socketClosed: () => openSockets.dec(),
    subscriptionStarted: (field) => subscriptions.inc({ field }),
    subscriptionEnded: (field) => subscriptions.dec({ field }),
    changeDelivered({ changedAt }) {
      // Two clocks: one a little behind the other must not make a change arrive before it was made.
      if (changedAt !== undefined) eventDelay.observe(Math.max(0, Date.now() - changedAt) / 1000);
    },
    redisReconnected: (connection) => reconnects.inc({ connection }),
  };
}
