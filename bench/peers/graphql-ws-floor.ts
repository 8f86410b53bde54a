/**
 * A reference for the fanout suite: graphql-ws's own `useServer` on a bare `ws` server, with a
 * `taskProgress` subscription that sends one value and then waits forever (no Redis, no task
 * store, no keep-alive). What graphql-ws and graphql-js hold per subscription, below which no
 * graphql-ws service can go. PORT and HOST from the environment; GET /readyz answers 200.
 */
import { createServer } from 'node:http';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

const schema = buildSchema(`
  type Query { ok: Boolean }
  type Progress { id: ID! state: String! current: Int! total: Int! progress: Float! }
  type Subscription { taskProgress(id: ID!): Progress! }
`);
const forever = new Promise<never>(() => undefined);
const roots = {
  taskProgress: {
    async *subscribe(_: unknown, { id }: { id: string }) {
      yield { taskProgress: { id, state: 'ACTIVE', current: 0, total: 300, progress: 0 } };
      await forever;
    },
  },
};
// graphql-js looks up subscription fields' subscribe functions on the schema, not the root value.
for (const [name, { subscribe }] of Object.entries(roots)) {
  schema.getSubscriptionType()!.getFields()[name]!.subscribe = subscribe as never;
}

const httpServer = createServer((request, response) => {
  response.writeHead(request.url === '/readyz' ? 200 : 404).end();
});
const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
useServer({ schema }, wsServer);
httpServer.listen(port, host);

process.on('SIGTERM', () => {
  for (const client of wsServer.clients) client.terminate();
  wsServer.close();
  httpServer.close(() => process.exit(0));
});
