import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { gqlData } from './support/graphql.js';
import { CREATE_SLEEP, TASK_PROGRESS, TASK_UPDATED, type TaskData } from './support/operations.js';
import { acknowledgedSocket, type RawSocket } from './support/raw-socket.js';
import { useTestApi } from './support/test-api.js';
import { waitFor, within } from '../testbed/wait.js';

/**
 * Nothing a socket opens outlives it, whatever order a client sends its frames in: every
 * subscription's Redis channel is released when its operation is completed, refused or its socket
 * closes, even while it is still being set up (subscribing in Redis, reading the snapshot).
 */
describe('what a socket opens', () => {
  const setup = useTestApi();

  const send = (raw: RawSocket, message: object) => raw.socket.send(JSON.stringify(message));
  const subscribers = async (channel: string) =>
    ((await setup.stack.redis.pubsub('NUMSUB', channel)) as [string, number])[1];

  const acknowledged = () => acknowledgedSocket(setup.api.url);

  async function runningSleep(): Promise<string> {
    const { createSleepTask } = await gqlData<{ createSleepTask: TaskData }>(setup.api.url, CREATE_SLEEP, {
      input: { duration: 60 },
    });
    return createSleepTask.id;
  }

  /** The channel is released, and stays so (a stream returned late would subscribe nothing again). */
  async function released(channel: string) {
    await waitFor(async () => (await subscribers(channel)) === 0, { what: `${channel} released` });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await subscribers(channel)).toBe(0);
  }

  const progress = (id: string) => ({ query: TASK_PROGRESS, variables: { id } });

  it('should release a subscription completed and its id reused while it is set up, and refuse the reuse', async () => {
    const id = await runningSleep();
    const raw = await acknowledged();
    // All three in one go: the first is still subscribing in Redis when the others arrive.
    send(raw, { type: 'subscribe', id: 'x', payload: progress(id) });
    send(raw, { type: 'complete', id: 'x' });
    send(raw, { type: 'subscribe', id: 'x', payload: progress(id) });
    await waitFor(() => raw.messages.some((m) => m.id === 'x' && m.type === 'error'), { what: 'the refusal' });
    expect(raw.messages.filter((m) => m.id === 'x')).toEqual([
      {
        id: 'x',
        type: 'error',
        payload: [expect.objectContaining({ message: expect.stringContaining('still in use') })],
      },
    ]);
    await released(setup.stack.keys.taskChannel(id));

    // The id is free once the first has ended, and the socket has stayed open.
    send(raw, { type: 'subscribe', id: 'x', payload: progress(id) });
    await waitFor(() => raw.messages.some((m) => m.id === 'x' && m.type === 'next'), { what: 'the snapshot' });
    expect(await subscribers(setup.stack.keys.taskChannel(id))).toBe(1);
    raw.socket.close(1000);
    await released(setup.stack.keys.taskChannel(id));
  });

  it('should release what a socket was still setting up when it closed', async () => {
    const id = await runningSleep();
    for (const end of ['close', 'terminate'] as const) {
      const raw = await acknowledged();
      send(raw, { type: 'subscribe', id: 'p', payload: progress(id) });
      send(raw, { type: 'subscribe', id: 'u', payload: { query: TASK_UPDATED } });
      if (end === 'close') raw.socket.close(1000);
      else raw.socket.terminate();
      await within(raw.closed, 5_000, 'the close');
      await released(setup.stack.keys.taskChannel(id));
      await released(setup.stack.keys.allTasksChannel);
    }
  });

  it('should release every subscription of a socket that closes', async () => {
    const ids = [await runningSleep(), await runningSleep()];
    const raw = await acknowledged();
    // 60 taskProgress, and 60 taskUpdated of which the per-client limit (10) lets some start.
    for (let i = 0; i < 120; i++) {
      send(raw, {
        type: 'subscribe',
        id: `s${i}`,
        payload: i % 2 ? { query: TASK_UPDATED } : progress(ids[(i >> 1) % 2]!),
      });
    }
    const answered = () => ({
      snapshots: raw.messages.filter((m) => m.type === 'next').length,
      refused: raw.messages.filter((m) => m.type === 'error').length,
    });
    await waitFor(() => answered().snapshots === 60 && answered().refused === 50, { what: 'every answer' });
    expect(await subscribers(setup.stack.keys.taskChannel(ids[0]!))).toBe(1);
    expect(await subscribers(setup.stack.keys.allTasksChannel)).toBe(1);
    raw.socket.close(1000);
    for (const id of ids) await released(setup.stack.keys.taskChannel(id));
    await released(setup.stack.keys.allTasksChannel);
    expect(raw.socket.readyState).toBe(WebSocket.CLOSED);
  });
});
