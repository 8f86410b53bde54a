/**
 * A load peer, run with fork() so that its memory and CPU are not the suite's: opens WebSockets to a
 * server and, in graphql mode, subscribes each to taskProgress over graphql-transport-ws (written out
 * by hand: a graphql-ws client per socket would cost far more than the socket). It counts events by
 * their `current` and answers the suite over IPC (see load-protocol.ts).
 */
import WebSocket from 'ws';
import type { LoadCommand, LoadReport } from './load-protocol.js';

const SUBSCRIPTION = 'subscription ($id: ID!) { taskProgress(id: $id) { id state current total progress } }';

interface NextMessage {
  type: string;
  id?: string;
  payload?: { data?: { taskProgress?: { current?: number } } | null; errors?: unknown };
}

const sockets: WebSocket[] = [];
/** Events received, by their `current`. */
const byCurrent = new Map<number, number>();
let waiting: { current: number; expected: number; resolve: () => void } | null = null;

function report(message: LoadReport) {
  process.send?.(message);
}

function count(current: number) {
  const received = (byCurrent.get(current) ?? 0) + 1;
  byCurrent.set(current, received);
  if (waiting && waiting.current === current && received >= waiting.expected) waiting.resolve();
}

/** Resolves true once the socket is open and, in graphql mode, every subscription has its snapshot. */
function openOne(command: Extract<LoadCommand, { type: 'open' }>, index: number): Promise<number> {
  const url = `${command.url.replace(/^http/, 'ws')}/graphql`;
  return new Promise((resolve) => {
    const graphql = command.mode === 'graphql';
    const socket = new WebSocket(url, graphql ? 'graphql-transport-ws' : undefined);
    sockets.push(socket);
    let pending = graphql ? command.perSocket : 0;
    let settled = false;
    const settle = (subscribed: number) => {
      if (settled) return;
      settled = true;
      resolve(subscribed);
    };
    socket.on('error', () => settle(-1));
    socket.on('close', () => settle(-1));
    socket.on('open', () => {
      if (!graphql) return settle(0);
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    });
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as NextMessage;
      if (message.type === 'connection_ack') {
        for (let j = 0; j < command.perSocket; j++) {
          const id = command.taskIds[(index * command.perSocket + j) % command.taskIds.length];
          socket.send(
            JSON.stringify({ id: String(j), type: 'subscribe', payload: { query: SUBSCRIPTION, variables: { id } } }),
          );
        }
      } else if (message.type === 'next') {
        const current = message.payload?.data?.taskProgress?.current;
        if (typeof current === 'number') count(current);
        // The first answer of each subscription is its snapshot: it is live from then on.
        if (pending > 0 && --pending === 0) settle(command.perSocket);
      } else if (message.type === 'error') {
        settle(-1);
      }
    });
  });
}

async function open(command: Extract<LoadCommand, { type: 'open' }>) {
  const started = Date.now();
  let next = 0;
  let failed = 0;
  let subscriptions = 0;
  const deadline = started + command.timeoutMs;
  const lane = async () => {
    while (next < command.sockets && Date.now() < deadline) {
      const index = next++;
      const subscribed = await Promise.race([
        openOne(command, index),
        new Promise<number>((resolve) => setTimeout(() => resolve(-1), Math.max(0, deadline - Date.now()))),
      ]);
      if (subscribed < 0) failed++;
      else subscriptions += subscribed;
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, lane));
  failed += command.sockets - next;
  report({ type: 'opened', sockets: next - failed, subscriptions, failed, ms: Date.now() - started });
}

async function expect(command: Extract<LoadCommand, { type: 'expect' }>) {
  const started = Date.now();
  if ((byCurrent.get(command.current) ?? 0) < command.expected) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, command.timeoutMs);
      waiting = {
        current: command.current,
        expected: command.expected,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
    waiting = null;
  }
  report({
    type: 'delivered',
    current: command.current,
    received: byCurrent.get(command.current) ?? 0,
    expected: command.expected,
    ms: Date.now() - started,
  });
}

async function close() {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.terminate();
        }),
    ),
  );
  report({ type: 'closed' });
  process.disconnect?.();
}

process.on('message', (command: LoadCommand) => {
  const done = command.type === 'open' ? open(command) : command.type === 'expect' ? expect(command) : close();
  done.catch((error: unknown) => report({ type: 'error', message: String(error) }));
});
