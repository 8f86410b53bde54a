import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBullmqTelemetry } from '../core/bullmq-telemetry.js';
import { enqueueTask } from '../core/enqueue-task.js';
import { defineTask } from '../core/task-definition.js';
import { createTaskQueue } from '../core/task-queue.js';
import { createTaskStore } from '../core/task-store.js';
import { startTracing, type Tracing } from '../core/tracing-sdk.js';
import { tracer } from '../core/tracing.js';
import { parseWorkerConfig } from '../worker/config.js';
import type { TaskWorker } from '../worker/task-worker.js';
import { createWorker } from '../worker/worker.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { createTestStack, logger, REDIS_URL, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

const ERROR = 2;

/** A kind whose runs fail twice, then succeed: three attempts. */
const runs = new Map<string, number>();
const flakyKind = defineTask({
  name: 'flaky_task',
  description: 'Fails twice, then succeeds.',
  input: z.object({ key: z.string() }),
  result: z.object({ runs: z.int() }),
  steps: () => 1,
  retry: { attempts: 3, backoffMs: 50 },
  async run({ key }) {
    const run = (runs.get(key) ?? 0) + 1;
    runs.set(key, run);
    if (run <= 2) throw new Error(`run ${run} failed`);
    return { runs: run };
  },
});

/**
 * A task retried by BullMQ, traced in this test's own process (a file of its own: the SDK is
 * process-global): each attempt in the task's trace, under BullMQ's process of it.
 */
describe('the trace of a retried task', () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let stack: TestStack;
  let worker: TaskWorker;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // Read by the SDK, as the entry points' are.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_BSP_SCHEDULE_DELAY = '100';
    tracing = startTracing({ protocol: 'http/json' }, { serviceName: 'task-service-test' });
    stack = await createTestStack();
    const config = parseWorkerConfig({ REDIS_URL, REDIS_KEY_PREFIX: stack.keys.prefix, WORKER_NAME: 'traced' });
    worker = await createWorker({ ...config, traces: { protocol: 'http/json' } }, { logger, kinds: [flakyKind] });
  });

  afterAll(async () => {
    await worker?.close();
    await stack?.close();
    await tracing?.close();
    await receiver?.close();
  });

  it('should hold every attempt, each under its own process, the failed ones with their errors', async () => {
    const store = createTaskStore(stack.redis, stack.partitions);
    const queue = createTaskQueue(stack.redis, stack.keys.prefix, createBullmqTelemetry());
    let traceId = '';
    try {
      const record = await tracer.startActiveSpan('test', async (span) => {
        traceId = span.spanContext().traceId;
        try {
          return await enqueueTask(
            { store, partitions: stack.partitions, queues: [queue] },
            flakyKind,
            { key: randomUUID() },
            { ttlMs: 60_000, owner: null },
          );
        } finally {
          span.end();
        }
      });
      const spans = await waitFor(
        () => {
          const inTrace = receiver.spans().filter((span) => span.traceId === traceId);
          return inTrace.filter((span) => span.name === 'attempt flaky_task').length === 3 && inTrace;
        },
        { what: 'three attempts', timeoutMs: 15_000 },
      );
      expect((await store.get(record.id))?.state).toBe('COMPLETED');

      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
        const parent = byId.get(span.parentSpanId);
        return parent ? [parent, ...ancestors(parent)] : [];
      };
      const enqueue = spans.find((span) => span.name === 'enqueue flaky_task')!;
      const attempts = spans
        .filter((span) => span.name === 'attempt flaky_task')
        .sort((a, b) => Number(a.attributes['task.attempt']) - Number(b.attributes['task.attempt']));
      expect(attempts.map((span) => span.attributes)).toEqual(
        [1, 2, 3].map((attempt) => ({ 'task.id': record.id, 'task.kind': 'flaky_task', 'task.attempt': attempt })),
      );
      expect(attempts.map((span) => span.status.code === ERROR)).toEqual([true, true, false]);
      expect(attempts[0]!.status.message).toBe('run 1 failed');
      for (const attempt of attempts) {
        const parent = byId.get(attempt.parentSpanId)!;
        expect(parent.name.startsWith('process ')).toBe(true);
        // Every attempt reaches back to the enqueue: one trace, not one per attempt.
        expect(ancestors(attempt)).toContain(enqueue);
      }
    } finally {
      await queue.close();
    }
  });
});
