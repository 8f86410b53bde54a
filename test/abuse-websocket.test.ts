import type { IncomingMessage } from 'node:http';
import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiConfig } from '../src/config.js';
import { gqlData, watch, wsClient, type Watch } from './support/graphql.js';
import { TASK_UPDATED } from './support/operations.js';
import { acknowledgedSocket, rawSocket } from './support/raw-socket.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

/** Until every watch has something: a value, an error or its end. */
const settled = (watches: Watch<unknown>[]) =>
  waitFor(() => watches.every((w) => w.values.length > 0 || w.error !== null || w.completed), {
    what: 'every subscription to answer',
  });

describe('graphql-ws limits', () => {
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    stack = await createTestStack();
    // taskUpdated's own per-client limit is lower than a socket's; here the socket's is tried.
    api = await stack.startApi({ ws: { connectionInitTimeoutMs: 300 }, limits: { maxTaskUpdatedPerClient: 1_000 } });
  });

  afterAll(() => stack.close());

  /** The API is still fine: healthy, and a mutation over HTTP and one over a new socket both work. */
  const stillHealthy = async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    await gqlData(api.url, 'mutation { createSleepTask(input: { duration: 1 }) { id } }');
    const client = wsClient(api.url);
    try {
      const created = watch(client, 'mutation { createSleepTask(input: { duration: 1 }) { id } }');
      await within(created.ended, 5_000, 'the mutation over graphql-ws');
      expect(created.error).toBeNull();
      expect(created.values).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  };

  it(`should refuse subscription ${parseApiConfig().limits.maxSubscriptionsPerSocket + 1} on one socket, and keep it usable`, async () => {
    const limit = parseApiConfig().limits.maxSubscriptionsPerSocket;
    const client = wsClient(api.url);
    try {
      const subscriptions = Array.from({ length: limit }, () => watch(client, TASK_UPDATED));
      const extra = watch(client, TASK_UPDATED);
      await within(extra.ended, 5_000, 'the refusal');
      expect(extra.error).toEqual([
        {
          message: `Too many subscriptions on this connection: at most ${limit} at once; complete one first`,
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit },
        },
      ]);

      // The others are live: a new task reaches every one of them.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { createSleepTask } = await gqlData(api.url, 'mutation { createSleepTask(input: { duration: 1 }) { id } }');
      await settled(subscriptions);
      for (const subscription of subscriptions) {
        expect(subscription.error).toBeNull();
        expect(subscription.values[0]).toMatchObject({ taskUpdated: { id: createSleepTask.id } });
      }

      // Once one completes, there is room for another on the same socket.
      subscriptions[0]!.stop();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const another = watch(client, '{ workers { name } }');
      await within(another.ended, 5_000, 'the query');
      expect(another.error).toBeNull();
      expect(another.values).toEqual([{ workers: [] }]);
      for (const subscription of subscriptions) subscription.stop();
    } finally {
      await client.dispose();
    }
    await stillHealthy();
  });

  it('should close a socket that never sends connection_init (4408)', async () => {
    const raw = rawSocket(api.url);
    await raw.opened;
    const { code, afterMs } = await within(raw.closed, 5_000, 'the close');
    expect(code).toBe(CloseCode.ConnectionInitialisationTimeout);
    expect(afterMs).toBeGreaterThanOrEqual(250);
    await stillHealthy();
  });

  it('should close a socket that sends an invalid message (4400)', async () => {
    for (const message of ['not json', '{"type":"no-such-type"}', '{"type":"subscribe","id":"1"}']) {
      const raw = rawSocket(api.url);
      await raw.opened;
      raw.socket.send(JSON.stringify({ type: 'connection_init' }));
      await waitFor(() => raw.messages.some((m) => m.type === 'connection_ack'), { what: 'the ack' });
      raw.socket.send(message);
      const { code } = await within(raw.closed, 5_000, 'the close');
      expect(code, message).toBe(CloseCode.BadRequest);
    }
    await stillHealthy();
  });

  it('should close a socket that sends a message larger than an HTTP body may be (1009)', async () => {
    const raw = rawSocket(api.url);
    await raw.opened;
    raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(1_100_000) } }));
    const { code } = await within(raw.closed, 5_000, 'the close');
    expect(code).toBe(1009); // message too big
    await stillHealthy();
  });

  it('should answer a syntax error with an error and keep the socket open', async () => {
    const raw = rawSocket(api.url);
    await raw.opened;
    raw.socket.send(JSON.stringify({ type: 'connection_init' }));
    await waitFor(() => raw.messages.some((m) => m.type === 'connection_ack'), { what: 'the ack' });
    raw.socket.send(JSON.stringify({ type: 'subscribe', id: 'bad', payload: { query: '{ workers { name ' } }));
    raw.socket.send(JSON.stringify({ type: 'subscribe', id: 'good', payload: { query: '{ workers { name } }' } }));
    await waitFor(() => raw.messages.some((m) => m.id === 'good' && m.type === 'complete'), { what: 'the query' });
    expect(raw.messages.find((m) => m.id === 'bad')).toMatchObject({
      type: 'error',
      payload: [{ message: 'Syntax Error: Expected Name, found <EOF>.', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }],
    });
    expect(raw.messages.find((m) => m.id === 'good')).toEqual({
      id: 'good',
      type: 'next',
      payload: { data: { workers: [] } },
    });
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);
    raw.socket.close(1000);
    await raw.closed;
    await stillHealthy();
  });

  it('should close a socket that stops answering pings, and keep one that answers', async () => {
    const keepAliveMs = 200;
    const pinging = await stack.startApi({ ws: { keepAliveMs } });
    const gone = rawSocket(pinging.url, { autoPong: false });
    const alive = rawSocket(pinging.url);
    for (const raw of [gone, alive]) {
      await raw.opened;
      raw.socket.send(JSON.stringify({ type: 'connection_init' }));
    }
    await waitFor(() => [gone, alive].every((raw) => raw.messages.some((m) => m.type === 'connection_ack')), {
      what: 'both acknowledged',
    });
    const { afterMs } = await within(gone.closed, 5_000, 'the silent socket to be dropped');
    expect(afterMs).toBeGreaterThanOrEqual(keepAliveMs);
    // Several sweeps later the answering socket is still there.
    await new Promise((resolve) => setTimeout(resolve, 4 * keepAliveMs));
    expect(alive.socket.readyState).toBe(WebSocket.OPEN);
    alive.socket.close();
  });

  it('should refuse a WebSocket upgrade past the sockets one address may hold (429, with Retry-After), and take one again when one closes', async () => {
    // By the next keep-alive sweep, the sockets that stopped answering have been dropped.
    const limited = await stack.startApi({ limits: { maxSocketsPerClient: 3 }, ws: { keepAliveMs: 7_000 } });
    const open = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const raw = rawSocket(limited.url);
        await raw.opened;
        return raw;
      }),
    );
    const refused = new WebSocket(`${limited.url.replace('http', 'ws')}/graphql`, ['graphql-transport-ws']);
    refused.on('error', () => undefined); // the refusal, as ws reports it too
    const refusal = await within(
      new Promise<IncomingMessage>((resolve) =>
        refused.once('unexpected-response', (_request, response) => resolve(response)),
      ),
      5_000,
      'the refusal',
    );
    expect([refusal.statusCode, refusal.headers['retry-after']]).toEqual([429, '7']);
    refused.terminate();
    // Another address is counted apart.
    const elsewhere = new WebSocket(`${limited.url.replace('http', 'ws')}/graphql`, ['graphql-transport-ws'], {
      localAddress: '127.0.0.2',
    });
    await within(new Promise((resolve) => elsewhere.once('open', resolve)), 5_000, 'a socket from 127.0.0.2');
    elsewhere.close();

    open[0]!.socket.close();
    await open[0]!.closed;
    const again = rawSocket(limited.url);
    await within(again.opened, 5_000, 'a socket once one closed');
    for (const raw of [...open.slice(1), again]) raw.socket.close();
    await limited.close();
  });

  it('should count subscriptions, and taskUpdated above all, per client across its sockets', async () => {
    const limited = await stack.startApi({ limits: { maxSubscriptionsPerClient: 4, maxTaskUpdatedPerClient: 2 } });
    const clients = [wsClient(limited.url), wsClient(limited.url)];
    try {
      // Two taskUpdated on two sockets, both live once a change reaches them; then a third.
      const updates = [0, 1].map((i) => watch(clients[i]!, TASK_UPDATED));
      // A change reaches them once they are subscribed: until then, make another.
      let createSleepTask: { id: string } | undefined;
      await waitFor(
        async () => {
          ({ createSleepTask } = await gqlData(
            limited.url,
            'mutation { createSleepTask(input: { duration: 60 }) { id } }',
          ));
          await new Promise((resolve) => setTimeout(resolve, 100));
          return updates.every((update) => update.values.length > 0);
        },
        { what: 'both taskUpdated subscriptions live' },
      );
      // The third, even spread from a fragment, is one too many.
      updates.push(
        watch(clients[0]!, 'subscription { ...Changes } fragment Changes on Subscription { taskUpdated { id } }'),
      );
      await within(updates[2]!.ended, 5_000, 'the third taskUpdated to be refused');
      expect(updates[2]!.error).toEqual([
        {
          message: 'Too many taskUpdated subscriptions for this client: at most 2 at once; complete one first',
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 2 },
        },
      ]);
      const progress = 'subscription ($id: ID!) { taskProgress(id: $id) { id } }';
      const watches = [0, 1].map((i) => watch(clients[i]!, progress, { id: createSleepTask!.id }));
      await settled(watches);
      expect(watches.every((w) => w.error === null && w.values.length === 1)).toBe(true);
      watches.push(watch(clients[1]!, progress, { id: createSleepTask!.id }));
      await within(watches[2]!.ended, 5_000, 'the fifth subscription to be refused');
      expect(watches[2]!.error).toEqual([
        {
          message: 'Too many subscriptions for this client: at most 4 at once; complete one first',
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 4 },
        },
      ]);

      // Completing one makes room for another, on any of the client's sockets.
      updates[0]!.stop();
      await waitFor(
        async () => {
          const another = watch(clients[1]!, TASK_UPDATED);
          await new Promise((resolve) => setTimeout(resolve, 100));
          another.stop();
          return another.error === null;
        },
        { what: 'room for a taskUpdated' },
      );
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
      await limited.close();
    }
  });
});

describe('one address opening many sockets of many taskUpdated', () => {
  it('should be held to its share, and /healthz should answer while changes flow to what it holds', async () => {
    const stack = await createTestStack();
    try {
      const api = await stack.startApi();
      const { maxTaskUpdatedPerClient } = parseApiConfig().limits;
      const sockets = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const raw = await acknowledgedSocket(api.url);
          for (let i = 0; i < 100; i++) {
            raw.socket.send(JSON.stringify({ type: 'subscribe', id: String(i), payload: { query: TASK_UPDATED } }));
          }
          return raw;
        }),
      );
      const refused = () =>
        sockets.reduce((sum, raw) => sum + raw.messages.filter((m) => m.type === 'error').length, 0);
      await waitFor(() => refused() === 20 * 100 - maxTaskUpdatedPerClient, { what: 'all but its share refused' });

      // Changes reach the subscriptions it holds, and the API stays responsive meanwhile.
      for (let i = 0; i < 20; i++)
        await gqlData(api.url, 'mutation { createSleepTask(input: { duration: 1 }) { id } }');
      expect((await within(fetch(`${api.url}/healthz`), 5_000, '/healthz')).status).toBe(200);
      const delivered = () =>
        sockets.reduce((sum, raw) => sum + raw.messages.filter((m) => m.type === 'next').length, 0);
      await waitFor(() => delivered() === 20 * maxTaskUpdatedPerClient, {
        what: 'every change to every subscription held',
      });
      for (const raw of sockets) raw.socket.close();
    } finally {
      await stack.close();
    }
  });
});
