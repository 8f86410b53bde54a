import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { gqlData } from './support/graphql.js';
import { CREATE_SLEEP, GET_TASK, WORKERS, type TaskData } from './support/operations.js';
import { runProcess } from '../testbed/processes.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { freePort, startEntryPoint, type RunningProcess } from './support/processes.js';
import { REDIS_URL } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';
import { Redis } from 'ioredis';

describe('the compiled service', () => {
  const prefix = `{test-${randomUUID()}}`;
  const started: RunningProcess[] = [];
  let receiver: OtlpReceiver | undefined;

  afterAll(async () => {
    await receiver?.close();
    await Promise.all(started.map((running) => running.close()));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('should run with plain node, and stop both processes gracefully on SIGTERM', async () => {
    // The browser bundle is built once for the whole suite (global setup); this compiles the service.
    const build = await runProcess('npm', ['run', 'build:server']);
    expect(build.code, build.output).toBe(0);
    const port = await freePort();
    receiver = await startOtlpReceiver();
    const env = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_NAME: 'compiled',
      // Traced too: instrumentation-http must see node:http without tsx's loader as well.
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    };
    const api = startEntryPoint('dist/src/main.js', env);
    const worker = startEntryPoint('dist/worker/main.js', env);
    started.push(api, worker);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/readyz`)).ok, { what: 'the API', timeoutMs: 15_000 });
    await waitFor(async () => (await gqlData(url, WORKERS)).workers.length === 1, { what: 'the worker' });
    const introspection = await gqlData<{ __schema: { queryType: { name: string } } }>(
      url,
      '{ __schema { queryType { name } } }',
    );
    expect(introspection.__schema.queryType.name).toBe('Query');

    // A worker asked to stop lets a running task finish (it is shorter than SHUTDOWN_TIMEOUT).
    const { createSleepTask: task } = await gqlData<{ createSleepTask: TaskData }>(url, CREATE_SLEEP, {
      input: { duration: 2 },
    });
    await waitFor(async () => (await gqlData(url, GET_TASK, { id: task.id })).task.state === 'ACTIVE', {
      what: 'the start',
    });
    worker.child.kill('SIGTERM');
    expect(await within(worker.exited, 10_000, 'the worker exit')).toBe(0);
    expect((await gqlData<{ task: TaskData }>(url, GET_TASK, { id: task.id })).task.state).toBe('COMPLETED');
    expect(worker.output()).toContain('"msg":"stopped"');
    expect((await gqlData(url, WORKERS)).workers).toEqual([]);

    api.child.kill('SIGTERM');
    expect(await within(api.exited, 10_000, 'the API exit')).toBe(0);
    expect(api.output()).toContain('"msg":"stopped"');

    // Both sent their spans as they stopped: the task's trace, from its request to its attempt.
    const enqueue = receiver.spans().find((span) => span.attributes['task.id'] === task.id);
    const trace = receiver.spans().filter((span) => span.traceId === enqueue?.traceId);
    expect(trace.map(({ service, name }) => `${service} ${name}`)).toEqual(
      expect.arrayContaining(['task-service-api POST /graphql', 'task-service-worker attempt sleep_task']),
    );
  }, 90_000); // it compiles the service first
});
