import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlData, postGraphQL, watch, wsClient } from './support/graphql.js';
import { CREATE_CALCULATION, GET_TASK, TASK_FIELDS, WORKERS, type TaskData } from './support/operations.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { freePort, startEntryPoint, type RunningProcess } from './support/processes.js';
import { createTestStack, projectDir, REDIS_URL, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;
const ERROR = 2;

const CREATE_SLEEP = `mutation CreateSleep($input: CreateSleepTaskInput!) { createSleepTask(input: $input) { id state } }`;
const WATCH = `subscription WatchTask($id: ID!) { taskProgress(id: $id) { ${TASK_FIELDS} } }`;

/**
 * createSleepTask over HTTP as a traced client sends it, with a W3C traceparent of its own: the
 * client's trace and span ids, and the task (null when refused).
 */
async function createSleepTraced(url: string, duration: number) {
  const client = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
  const { body } = await postGraphQL<{ createSleepTask: TaskData }>(
    url,
    { query: CREATE_SLEEP, variables: { input: { duration } } },
    { headers: { traceparent: `00-${client.traceId}-${client.spanId}-01` } },
  );
  const data = body.data;
  return { client, task: data?.createSleepTask ?? null };
}

/** The log lines of a process started with LOG_FORMAT=json. */
function logLines(running: RunningProcess): Record<string, unknown>[] {
  return running
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** What a process preloaded with support/opentelemetry-modules.mjs printed at its exit. */
function openTelemetryModules(running: RunningProcess): string[] {
  const line = /opentelemetry modules: (.*)/.exec(running.output());
  if (!line) throw new Error(`no list of modules in:\n${running.output()}`);
  return JSON.parse(line[1]!) as string[];
}

const PRELOAD = { NODE_OPTIONS: `--import=${join(projectDir, 'test', 'support', 'opentelemetry-modules.mjs')}` };

/**
 * The API and a worker as processes of their own (the SDK is process-global), exporting OTLP/HTTP
 * JSON to a receiver the test runs; every span the spec below looks for comes from them.
 */
describe('traces', () => {
  let stack: TestStack;
  let receiver: OtlpReceiver;
  let url: string;
  let api: RunningProcess;
  let worker: RunningProcess;
  const started: RunningProcess[] = [];
  const clients: Client[] = [];

  const serviceEnv = () => ({
    REDIS_URL,
    REDIS_KEY_PREFIX: stack.keys.prefix,
    HOST: '127.0.0.1',
    // A sleep of 4 s fails, one of 1 s does not.
    WORKER_MAX_TIMEOUT: '3',
  });
  const tracedEnv = () => ({
    ...serviceEnv(),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    // The batch goes out a tenth of a second after a span ends, not five seconds.
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });

  async function startPair(env: Record<string, string>) {
    const port = await freePort();
    const workerName = `worker-${port}`;
    const pair = {
      url: `http://127.0.0.1:${port}`,
      api: startEntryPoint('src/main.ts', { ...env, PORT: String(port) }),
      worker: startEntryPoint('worker/main.ts', { ...env, WORKER_NAME: workerName }),
    };
    started.push(pair.api, pair.worker);
    // A start that fails says how each process stands, and what it printed last.
    const withOutputs = (error: Error) => {
      const state = (running: RunningProcess) => (running.running() ? 'running' : `exited ${running.child.exitCode}`);
      throw new Error(
        `${error.message}; API ${state(pair.api)}: ${pair.api.output().slice(-1_500)}; ` +
          `worker ${state(pair.worker)}: ${pair.worker.output().slice(-1_500)}`,
        { cause: error },
      );
    };
    await waitFor(async () => (await fetch(`${pair.url}/readyz`).catch(() => null))?.ok, {
      what: 'the API',
      timeoutMs: 20_000,
    }).catch(withOutputs);
    const workers = async () => (await gqlData<{ workers: { name: string }[] }>(pair.url, WORKERS)).workers;
    await waitFor(async () => (await workers()).some(({ name }) => name === workerName), {
      what: 'the worker',
      timeoutMs: 20_000,
    }).catch(withOutputs);
    return pair;
  }

  async function stopGracefully(running: RunningProcess) {
    running.child.kill('SIGTERM');
    expect(await within(running.exited, 15_000, 'the exit')).toBe(0);
  }

  beforeAll(async () => {
    stack = await createTestStack();
    receiver = await startOtlpReceiver();
    ({ url, api, worker } = await startPair(tracedEnv()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await Promise.all(started.map((running) => running.close()));
    await receiver?.close();
    await stack?.close();
  });

  /** The spans of one trace once `names` have all arrived. */
  const traceWith = (traceId: () => string | undefined, names: string[]) =>
    waitFor(
      () => {
        const id = traceId();
        const spans = receiver.spans().filter((span) => span.traceId === id);
        return names.every((name) => spans.some((span) => span.name === name)) && spans;
      },
      { what: `the spans ${names.join(', ')}`, timeoutMs: 15_000 },
    );

  const only = (spans: ReceivedSpan[], name: string) => {
    const named = spans.filter((span) => span.name === name);
    expect(named, name).toHaveLength(1);
    return named[0]!;
  };
  const sleepSpans = ['enqueue sleep_task', 'attempt sleep_task', 'run sleep_task'];

  it('should trace a task from the HTTP request that created it to its run on the worker, in one trace', async () => {
    const { client, task } = await createSleepTraced(url, 1);
    const spans = await traceWith(() => client.traceId, ['POST /graphql', 'mutation CreateSleep', ...sleepSpans]);

    // The API: the request (under the client's span), its operation, the enqueue, BullMQ's add.
    const request = only(spans, 'POST /graphql');
    expect(request).toMatchObject({ service: 'task-service-api', kind: SERVER, parentSpanId: client.spanId });
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/graphql' });
    const operation = only(spans, 'mutation CreateSleep');
    expect(operation).toMatchObject({ service: 'task-service-api', parentSpanId: request.spanId });
    expect(operation.attributes).toEqual({
      'graphql.operation.type': 'mutation',
      'graphql.operation.name': 'CreateSleep',
    });
    const enqueue = only(spans, 'enqueue sleep_task');
    expect(enqueue).toMatchObject({ service: 'task-service-api', parentSpanId: operation.spanId });
    expect(enqueue.attributes).toEqual({ 'task.id': task!.id, 'task.kind': 'sleep_task' });
    const add = spans.find((span) => span.scope === 'bullmq' && span.name.startsWith('add '))!;
    expect(add).toMatchObject({ service: 'task-service-api', kind: PRODUCER, parentSpanId: enqueue.spanId });

    // The worker: BullMQ's process of the job, under the add; the attempt under it, the run under that.
    const processing = spans.find((span) => span.scope === 'bullmq' && span.name.startsWith('process '))!;
    expect(processing).toMatchObject({ service: 'task-service-worker', kind: CONSUMER, parentSpanId: add.spanId });
    expect(processing.attributes['bullmq.job.id']).toBe(task!.id);
    const attempt = only(spans, 'attempt sleep_task');
    expect(attempt).toMatchObject({ service: 'task-service-worker', parentSpanId: processing.spanId });
    expect(attempt.attributes).toEqual({ 'task.id': task!.id, 'task.kind': 'sleep_task', 'task.attempt': 1 });
    expect(attempt.status.code).not.toBe(ERROR);
    const run = only(spans, 'run sleep_task');
    expect(run).toMatchObject({ service: 'task-service-worker', parentSpanId: attempt.spanId });
    expect(run.status.code).not.toBe(ERROR);

    // Nothing of the trace reached the task's input, and the logs name the trace.
    const stored = (await gqlData<{ task: TaskData }>(url, GET_TASK, { id: task!.id })).task;
    expect(stored).toMatchObject({ state: 'COMPLETED', duration: 1 });
    expect(await stack.redis.hget(`${stack.keys.prefix}:task:${task!.id}`, 'input')).not.toContain('trace');
    const queued = logLines(api).find((line) => line.msg === 'task queued' && line.taskId === task!.id);
    expect(queued).toMatchObject({ trace_id: client.traceId, span_id: operation.spanId, trace_flags: '01' });
    const startedLine = logLines(worker).find((line) => line.msg === 'task started' && line.taskId === task!.id);
    expect(startedLine).toMatchObject({ trace_id: client.traceId, span_id: attempt.spanId });
  });

  it('should trace a WebSocket operation, and the task it creates, in a trace of its own', async () => {
    const client = wsClient(url);
    clients.push(client);
    const created = watch<{ createSleepTask: TaskData }>(
      client,
      CREATE_SLEEP.replace('CreateSleep', 'CreateOverSocket'),
      {
        input: { duration: 1 },
      },
    );
    await created.ended;
    const task = created.values[0]!.createSleepTask;
    const progress = watch<{ taskProgress: TaskData }>(client, WATCH, { id: task!.id });
    await within(progress.ended, 15_000, 'the end of the task');
    expect(progress.values.at(-1)?.taskProgress.state).toBe('COMPLETED');

    const operationOf = () => receiver.spans().find((span) => span.name === 'mutation CreateOverSocket');
    const spans = await traceWith(() => operationOf()?.traceId, ['mutation CreateOverSocket', ...sleepSpans]);
    const operation = only(spans, 'mutation CreateOverSocket');
    expect(operation).toMatchObject({ service: 'task-service-api', kind: SERVER, parentSpanId: '' });
    expect(operation.attributes).toEqual({
      'graphql.operation.type': 'mutation',
      'graphql.operation.name': 'CreateOverSocket',
    });
    expect(only(spans, 'enqueue sleep_task')).toMatchObject({ parentSpanId: operation.spanId });
    expect(only(spans, 'attempt sleep_task').attributes['task.id']).toBe(task!.id);

    // The subscription's span ends with it, after the terminal state.
    const subscription = await waitFor(() => receiver.spans().find((span) => span.name === 'subscription WatchTask'), {
      what: 'the subscription span',
    });
    expect(subscription).toMatchObject({ kind: SERVER, parentSpanId: '' });
    expect(subscription.status.code).not.toBe(ERROR);
  });

  it("should record a failed task's error on its attempt and its run", async () => {
    const { client, task } = await createSleepTraced(url, 4);
    const spans = await traceWith(() => client.traceId, sleepSpans);
    const stored = (await gqlData<{ task: TaskData }>(url, GET_TASK, { id: task!.id })).task;
    expect(stored.state).toBe('FAILED');

    for (const name of ['attempt sleep_task', 'run sleep_task']) {
      const span = only(spans, name);
      expect(span.status, name).toMatchObject({ code: ERROR, message: expect.stringContaining('max timeout of 3 s') });
      const exception = span.events.find((event) => event.name === 'exception');
      expect(exception?.attributes['exception.message'], name).toContain('max timeout of 3 s');
    }
    expect(only(spans, 'attempt sleep_task').status.message).toBe(stored.error);
  });

  it("should record an operation's errors, and enqueue nothing for it", async () => {
    const { client, task } = await createSleepTraced(url, 0);
    expect(task).toBeNull();
    const spans = await traceWith(() => client.traceId, ['POST /graphql', 'mutation CreateSleep']);
    const operation = only(spans, 'mutation CreateSleep');
    expect(operation.status).toMatchObject({ code: ERROR, message: expect.stringContaining('at least 1 second') });
    expect(operation.events.map((event) => event.name)).toEqual(['exception']);
    expect(spans.map((span) => span.name)).not.toContain('enqueue sleep_task');
  });

  it('should send http/protobuf to a traces endpoint as given, and flush at a graceful stop', async () => {
    const pair = await startPair({
      ...tracedEnv(),
      OTEL_EXPORTER_OTLP_ENDPOINT: '', // unset: the traces endpoint alone
      ...PRELOAD,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      // Only the stop sends: the batch would wait longer than the test.
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    await gqlData(pair.url, CREATE_CALCULATION, { input: { numbers: [6, 7], operation: 'PRODUCT' } });
    const before = receiver.contentTypes().length;
    await stopGracefully(pair.api);
    expect(receiver.contentTypes().slice(before)).toContain('application/x-protobuf');
    expect(openTelemetryModules(pair.api)).toEqual(
      expect.arrayContaining(['@opentelemetry/sdk-node', '@opentelemetry/exporter-trace-otlp-proto']),
    );
    await stopGracefully(pair.worker);
  });

  it('should load no part of the SDK when no endpoint is set', async () => {
    const pair = await startPair({ ...serviceEnv(), ...PRELOAD });
    const { createCalculationTask: task } = await gqlData<{ createCalculationTask: TaskData }>(
      pair.url,
      CREATE_CALCULATION,
      { input: { numbers: [6, 7], operation: 'PRODUCT' } },
    );
    await waitFor(async () => (await gqlData(pair.url, GET_TASK, { id: task!.id })).task.state === 'COMPLETED', {
      what: 'the task',
    });
    await stopGracefully(pair.api);
    await stopGracefully(pair.worker);
    for (const running of [pair.api, pair.worker]) {
      // Only OpenTelemetry's API (prom-client and the service speak it) and bullmq-otel, which speaks
      // nothing else: with no SDK registered, each call is the API's no-op.
      const loaded = openTelemetryModules(running);
      expect(loaded).toContain('@opentelemetry/api');
      expect(loaded.filter((name) => !['@opentelemetry/api', 'bullmq-otel'].includes(name))).toEqual([]);
      expect(logLines(running).some((line) => 'trace_id' in line)).toBe(false);
    }
  });
});
