import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAbuseProtection } from '../src/abuse-protection.js';
import { gqlData, watch, wsClient, type Watch } from './support/graphql.js';
import { TASK_UPDATED } from './support/operations.js';
import { rawSocket } from './support/raw-socket.js';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';
import { waitFor, within } from './support/wait.js';

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
    api = await stack.startApi({ abuseProtection: { connectionInitTimeoutMs: 300 } });
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

  it(`should refuse subscription ${defaultAbuseProtection.maxSubscriptionsPerSocket + 1} on one socket, and keep it usable`, async () => {
    const limit = defaultAbuseProtection.maxSubscriptionsPerSocket;
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
    const pinging = await stack.startApi({ abuseProtection: { keepAliveMs } });
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
});
