import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { gqlData } from './support/graphql.js';
import { CREATE_SLEEP, TASK_PROGRESS, type TaskData } from './support/operations.js';
import { acknowledgedSocket, rawSocket, type RawSocket } from './support/raw-socket.js';
import { useTestApi } from './support/test-api.js';
import { waitFor, within } from '../testbed/wait.js';

/**
 * graphql-transport-ws as the API speaks it (graphql-ws's own server, src/ws/), message by message.
 * The other suites run the protocol through graphql-ws's client; these send by hand what that
 * client never would.
 */
describe('graphql-transport-ws', () => {
  const setup = useTestApi();

  const send = (raw: RawSocket, message: object) => raw.socket.send(JSON.stringify(message));

  const acknowledged = () => acknowledgedSocket(setup.api.url);

  async function closedWith(raw: RawSocket, code: number): Promise<void> {
    const closed = await within(raw.closed, 5_000, `the close (${code})`);
    expect(closed.code).toBe(code);
  }

  const subscribers = async (channel: string) =>
    ((await setup.stack.redis.pubsub('NUMSUB', channel)) as [string, number])[1];

  async function runningSleep(): Promise<string> {
    const { createSleepTask } = await gqlData<{ createSleepTask: TaskData }>(setup.api.url, CREATE_SLEEP, {
      input: { duration: 60 },
    });
    return createSleepTask.id;
  }

  it('should close a socket that offers no graphql-transport-ws (4406)', async () => {
    const raw = rawSocket(setup.api.url, { protocol: '' });
    await raw.opened;
    await closedWith(raw, CloseCode.SubprotocolNotAcceptable);
  });

  it('should close a socket that subscribes before it is acknowledged (4401)', async () => {
    const raw = rawSocket(setup.api.url);
    await raw.opened;
    send(raw, { type: 'subscribe', id: '1', payload: { query: '{ workers { name } }' } });
    await closedWith(raw, CloseCode.Unauthorized);
    expect(raw.messages).toEqual([]);
  });

  it('should close a socket that sends connection_init twice (4429)', async () => {
    const raw = await acknowledged();
    send(raw, { type: 'connection_init' });
    await closedWith(raw, CloseCode.TooManyInitialisationRequests);
  });

  it('should answer a ping with a pong carrying the same payload', async () => {
    const raw = await acknowledged();
    send(raw, { type: 'ping', payload: { at: 42 } });
    send(raw, { type: 'ping' });
    await waitFor(() => raw.messages.filter((m) => m.type === 'pong').length === 2, { what: 'two pongs' });
    expect(raw.messages.filter((m) => m.type === 'pong')).toEqual([
      { type: 'pong', payload: { at: 42 } },
      { type: 'pong' },
    ]);
    raw.socket.close(1000);
  });

  it('should close a socket that sends a message only a server sends (4500, as graphql-ws does)', async () => {
    const raw = await acknowledged();
    send(raw, { type: 'next', id: '1', payload: { data: null } });
    await closedWith(raw, CloseCode.InternalServerError);
  });

  it('should close a socket that reuses the id of a running operation (4409)', async () => {
    const id = await runningSleep();
    const raw = await acknowledged();
    send(raw, { type: 'subscribe', id: 'same', payload: { query: TASK_PROGRESS, variables: { id } } });
    await waitFor(() => raw.messages.some((m) => m.id === 'same' && m.type === 'next'), { what: 'the snapshot' });
    send(raw, { type: 'subscribe', id: 'same', payload: { query: TASK_PROGRESS, variables: { id } } });
    const closed = await within(raw.closed, 5_000, 'the close');
    expect(closed).toMatchObject({
      code: CloseCode.SubscriberAlreadyExists,
      reason: 'Subscriber for same already exists',
    });
    // Closing the socket ended the subscription: its channel is released in Redis.
    await waitFor(async () => (await subscribers(setup.stack.keys.taskChannel(id))) === 0, { what: 'the UNSUBSCRIBE' });
  });

  it('should answer an id the client reuses while the operation it completed under it is still ending with BAD_REQUEST, and keep the socket', async () => {
    const id = await runningSleep();
    const raw = await acknowledged();
    // All three in one go: the first is still subscribing in Redis when the others arrive.
    send(raw, { type: 'subscribe', id: 'again', payload: { query: TASK_PROGRESS, variables: { id } } });
    send(raw, { type: 'complete', id: 'again' });
    send(raw, { type: 'subscribe', id: 'again', payload: { query: TASK_PROGRESS, variables: { id } } });
    await waitFor(() => raw.messages.some((m) => m.id === 'again'), { what: 'the answer' });
    expect(raw.messages.filter((m) => m.id === 'again')).toEqual([
      {
        id: 'again',
        type: 'error',
        payload: [
          {
            message:
              'Operation id "again" is still in use: the operation this client completed under it has not ended yet; give a new operation a new id',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      },
    ]);
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);
    raw.socket.close(1000);
  });

  it('should answer a query and a mutation with next, then complete', async () => {
    const raw = await acknowledged();
    send(raw, { type: 'subscribe', id: 'q', payload: { query: '{ workers { name } }' } });
    send(raw, {
      type: 'subscribe',
      id: 'm',
      payload: { query: CREATE_SLEEP, variables: { input: { duration: 1 } } },
    });
    await waitFor(() => raw.messages.filter((m) => m.type === 'complete').length === 2, { what: 'both completes' });
    expect(raw.messages.filter((m) => m.id === 'q')).toEqual([
      { id: 'q', type: 'next', payload: { data: { workers: [] } } },
      { id: 'q', type: 'complete' },
    ]);
    expect(raw.messages.filter((m) => m.id === 'm')).toMatchObject([
      { id: 'm', type: 'next', payload: { data: { createSleepTask: { state: 'QUEUED', duration: 1 } } } },
      { id: 'm', type: 'complete' },
    ]);
    raw.socket.close(1000);
  });

  it('should answer an operation name the document does not have with an error, and keep the socket', async () => {
    const raw = await acknowledged();
    send(raw, {
      type: 'subscribe',
      id: 'x',
      payload: { query: 'query Workers { workers { name } }', operationName: 'Other' },
    });
    await waitFor(() => raw.messages.some((m) => m.id === 'x'), { what: 'the answer' });
    expect(raw.messages.filter((m) => m.id === 'x')).toEqual([
      {
        id: 'x',
        type: 'error',
        payload: [
          { message: 'Unknown operation named "Other".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
        ],
      },
    ]);
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);
    raw.socket.close(1000);
  });

  it('should answer a subscription that cannot start (an unknown task) with an error message', async () => {
    const raw = await acknowledged();
    send(raw, { type: 'subscribe', id: 'u', payload: { query: TASK_PROGRESS, variables: { id: 'no-such-task' } } });
    await waitFor(() => raw.messages.some((m) => m.id === 'u'), { what: 'the answer' });
    await new Promise((resolve) => setTimeout(resolve, 100)); // nothing follows it
    expect(raw.messages.filter((m) => m.id === 'u')).toMatchObject([
      { type: 'error', payload: [{ message: 'No task with id "no-such-task"', extensions: { code: 'NOT_FOUND' } }] },
    ]);
    raw.socket.close(1000);
  });

  it('should stop a subscription the client completes: nothing more is sent and its channel is released', async () => {
    const id = await runningSleep();
    const raw = await acknowledged();
    send(raw, { type: 'subscribe', id: 'w', payload: { query: TASK_PROGRESS, variables: { id } } });
    await waitFor(() => raw.messages.some((m) => m.id === 'w'), { what: 'the snapshot' });
    expect(await subscribers(setup.stack.keys.taskChannel(id))).toBe(1);
    send(raw, { type: 'complete', id: 'w' });
    await waitFor(async () => (await subscribers(setup.stack.keys.taskChannel(id))) === 0, { what: 'the UNSUBSCRIBE' });
    const seen = raw.messages.length;

    // A change of the task now reaches nobody on this socket, and the id is free again.
    await gqlData(setup.api.url, 'mutation ($id: ID!) { cancelTask(id: $id) { id } }', { id });
    send(raw, { type: 'subscribe', id: 'w', payload: { query: TASK_PROGRESS, variables: { id } } });
    await waitFor(() => raw.messages.some((m, i) => i >= seen && m.id === 'w' && m.type === 'complete'), {
      what: 'the second subscription to end',
    });
    expect(raw.messages.slice(seen)).toMatchObject([
      { id: 'w', type: 'next', payload: { data: { taskProgress: { id, state: 'CANCELLED' } } } },
      { id: 'w', type: 'complete' },
    ]);
    raw.socket.close(1000);
  });
});
