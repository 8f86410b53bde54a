/**
 * A reproduction, for graphql-ws's maintainers, of a subscription that outlives its socket: with
 * graphql-ws's own `useServer` and nothing of this service, a client subscribes with an id,
 * completes it and subscribes again with the same id while the first is still being set up (its
 * `subscribe` resolver has not resolved yet). The server then runs both streams under one id, and
 * when the socket closes it returns only the second: the first runs on with no socket at all.
 *
 * Run: npx tsx bench/repro/graphql-ws-reused-id.ts. It prints what it sees and exits 1 while the
 * leak is there, 0 once graphql-ws returns every stream.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import WebSocket, { WebSocketServer } from 'ws';

const SETUP_MS = 100; // a resolver that subscribes somewhere before its first value, as most do

const schema = buildSchema('type Query { ok: Boolean } type Subscription { ticks: Int }');
let live = 0;
schema.getSubscriptionType()!.getFields().ticks!.subscribe = async () => {
  await sleep(SETUP_MS);
  live++;
  let returned = false;
  const stream: AsyncIterableIterator<{ ticks: number }> = {
    async next() {
      await sleep(1_000);
      return returned ? { done: true, value: undefined } : { done: false, value: { ticks: 1 } };
    },
    async return() {
      if (!returned) live--;
      returned = true;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return stream;
};

const httpServer = createServer();
const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
const server = useServer({ schema }, wsServer);
await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
const { port } = httpServer.address() as AddressInfo;

const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
await new Promise((resolve) => socket.once('open', resolve));
const send = (message: object) => socket.send(JSON.stringify(message));
send({ type: 'connection_init' });
await new Promise((resolve) => socket.once('message', resolve)); // connection_ack
const subscribe = { query: 'subscription { ticks }' };
send({ type: 'subscribe', id: 'x', payload: subscribe });
send({ type: 'complete', id: 'x' });
send({ type: 'subscribe', id: 'x', payload: subscribe });
await sleep(3 * SETUP_MS);
process.stdout.write(`streams live while the socket is open: ${live} (the client has one operation)\n`);
socket.close(1000);
await sleep(3 * SETUP_MS);
process.stdout.write(`streams live after the socket closed: ${live} (expected 0)\n`);

await server.dispose();
httpServer.close();
process.exit(live === 0 ? 0 : 1);
