import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { gqlData, watch } from './support/graphql.js';
import { startHaproxy, type Haproxy } from './support/haproxy.js';
import { CREATE_CALCULATION, CREATE_SLEEP, GET_TASK, TASK_PROGRESS, type TaskData } from './support/operations.js';
import { freePorts, startEntryPoint, type RunningProcess } from './support/processes.js';
import { createTestStack, REDIS_URL, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

/** Two API processes and a worker on the shared Redis, under one key prefix, behind HAProxy. */
describe('API instances behind a proxy', () => {
  let stack: TestStack | undefined;
  let proxy: Haproxy | undefined;
  const apis: RunningProcess[] = [];
  const clients: Client[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await Promise.all(apis.splice(0).map((api) => api.close()));
    await proxy?.stop();
    await stack?.close(); // the worker, and every key under the prefix
    stack = proxy = undefined;
  });

  /** Answers the backends' addresses, in the order of `apis`, once HAProxy counts both up. */
  async function startProxiedApis(): Promise<string[]> {
    stack = await createTestStack();
    await stack.startWorker();
    const ports = await freePorts(2);
    const env = { REDIS_URL, REDIS_KEY_PREFIX: stack.keys.prefix, HOST: '127.0.0.1' };
    apis.push(...ports.map((port) => startEntryPoint('src/main.ts', { ...env, PORT: String(port) })));
    const backends = ports.map((port) => `127.0.0.1:${port}`);
    proxy = await startHaproxy({ backends });
    for (const backend of backends) await proxy.waitForStatus(backend, 'UP', 20_000);
    return backends;
  }

  const createSleep = async (url: string, duration: number) =>
    (await gqlData<{ createSleepTask: TaskData }>(url, CREATE_SLEEP, { input: { duration } })).createSleepTask;
  const getTask = async (url: string, id: string) => (await gqlData<{ task: TaskData }>(url, GET_TASK, { id })).task;

  it('should run the tasks created through the proxy and read them through it, on both instances', async () => {
    await startProxiedApis();
    const url = proxy!.url;
    const sleep = await createSleep(url, 1);
    const { createCalculationTask: calculation } = await gqlData<{ createCalculationTask: TaskData }>(
      url,
      CREATE_CALCULATION,
      { input: { numbers: [6, 7], operation: 'PRODUCT' } },
    );

    const finished = async (id: string) => {
      const task = await getTask(url, id);
      return task.state === 'COMPLETED' && task;
    };
    expect(await waitFor(() => finished(sleep.id), { what: 'the sleep task' })).toMatchObject({
      current: 1,
      result: { status: 'ok' },
    });
    expect(await waitFor(() => finished(calculation.id), { what: 'the calculation' })).toMatchObject({
      result: { operation: 'PRODUCT', value: '42', count: 2 },
    });
    // Round robin: each instance answered some of the requests, and any of them reads any task.
    expect((await proxy!.servers()).map(({ total }) => total > 0)).toEqual([true, true]);
  });

  it('should bring a watching client, reconnecting through the proxy, to the other instance and the terminal state', async () => {
    const [a, b] = await startProxiedApis();
    // Only A takes new connections while the subscription starts: its socket is on A.
    await proxy!.setState(b!, 'maint');
    await proxy!.waitForStatus(b!, 'MAINT');
    const sessionsOnB = (await proxy!.servers())[1]!.total;

    const connections: { wasRetry: boolean; valuesBefore: number }[] = [];
    const client = createClient({
      url: proxy!.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      retryAttempts: 20,
      shouldRetry: () => true,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 200)),
    });
    clients.push(client);
    const task = await createSleep(proxy!.url, 4);
    const progress = watch<{ taskProgress: TaskData }>(client, TASK_PROGRESS, { id: task.id });
    client.on('connected', (_socket, _payload, wasRetry) =>
      connections.push({ wasRetry, valuesBefore: progress.values.length }),
    );
    await waitFor(() => progress.values.some(({ taskProgress }) => taskProgress.current >= 1), {
      what: 'a step through instance A',
      timeoutMs: 15_000,
    });
    const [onA, onB] = await proxy!.servers();
    expect(onA!.current).toBeGreaterThan(0); // the socket
    expect(onB!.total).toBe(sessionsOnB);

    await proxy!.setState(b!, 'ready');
    await proxy!.waitForStatus(b!, 'UP');
    apis[0]!.kill('SIGKILL');
    await within(progress.ended, 15_000, 'the terminal state through instance B');

    expect(progress.error).toBeNull();
    expect(progress.completed).toBe(true);
    const events = progress.values.map(({ taskProgress }) => taskProgress);
    expect(events.at(-1)).toMatchObject({ state: 'COMPLETED', current: 4, result: { status: 'ok' } });
    const versions = events.map((event) => event.version);
    expect(versions).toEqual([...versions].sort((x, y) => x - y)); // the new snapshot never goes back
    // graphql-ws reconnected once, by itself, and subscribed again: B sent what came after.
    expect(connections.map(({ wasRetry }) => wasRetry)).toEqual([false, true]);
    expect(events.length).toBeGreaterThan(connections[1]!.valuesBefore);
    expect((await proxy!.servers())[1]!.total).toBeGreaterThan(sessionsOnB);

    // A's failing health check takes it out: every request goes to B and is answered.
    await proxy!.waitForStatus(a!, 'DOWN');
    for (let i = 0; i < 3; i++) expect((await getTask(proxy!.url, task.id)).state).toBe('COMPLETED');
  });
});
