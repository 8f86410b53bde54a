import type { Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';

/** How long requests in flight may take to finish once the API stops. */
const GRACE_MS = 10_000;
/** How often connections that have fallen idle are looked for while draining. */
const IDLE_CHECK_MS = 50;

/**
 * Stops an HTTP server gently: no new connections; idle keep-alive connections closed at once, and
 * each busy one as soon as its response is sent; whatever is left after the grace period cut.
 *
 * What Apollo's drainHttpServer plugin does, without its bookkeeping: it keeps a map entry and a
 * close listener for every connection (WebSockets too, for as long as they live) and a listener for
 * every request, where Node's HTTP server tracks its connections already.
 */
async function drainHttpServer(server: Server, graceMs = GRACE_MS): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const closeIdle = setInterval(() => server.closeIdleConnections(), IDLE_CHECK_MS);
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(closeIdle);
    clearTimeout(cut);
  }
}

/** Drains the server when Apollo stops, as Apollo's own plugin would. */
export function drainHttpServerPlugin(server: Server): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return { drainServer: () => drainHttpServer(server) };
    },
  };
}
