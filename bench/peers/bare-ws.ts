/**
 * The fanout suite's baseline: a bare `ws` server that accepts WebSockets on /graphql and holds
 * them, nothing more (no protocol, no keep-alive, no Redis). GET /readyz answers 200 so that
 * bench/support/service.ts's waitReady works on it. PORT and HOST from the environment.
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

const httpServer = createServer((request, response) => {
  response.writeHead(request.url === '/readyz' ? 200 : 404).end();
});
const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
wsServer.on('connection', (socket) => {
  socket.on('error', () => undefined);
});
httpServer.listen(port, host);

process.on('SIGTERM', () => {
  for (const client of wsServer.clients) client.terminate();
  wsServer.close();
  httpServer.close(() => process.exit(0));
});
