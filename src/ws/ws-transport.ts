import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CloseCode,
  handleProtocols,
  type Server as GraphqlWsServer,
  type WebSocket as GraphqlWsSocket,
} from 'graphql-ws';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../../core/logger.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';
import type { SocketExtra } from './socket-operations.js';
import { ClientCounts } from './socket-operations.js';

export interface WsTransportOptions {
  httpServer: Server;
  /** graphql-ws's protocol server, which this connects to sockets. */
  server: GraphqlWsServer<SocketExtra>;
  path: string;
  /** A larger message closes the socket (1009), as a larger HTTP body is refused. */
  maxMessageBytes: number;
  /** Open sockets one address may hold; the next upgrade is answered 429. */
  maxSocketsPerClient: number;
  /** Who an upgrade comes from (http/client-address.ts), as HTTP requests are counted. */
  clientOf(request: IncomingMessage): string;
  /** Every socket is pinged this often; one that has not answered the last ping is dropped. */
  keepAliveMs: number;
  metrics: ApiMetrics;
  logger: Logger;
}

export interface WsTransport {
  /** Closes every socket with 1001 (going away), which graphql-ws clients retry elsewhere. */
  close(): Promise<void>;
}

/** One socket as graphql-ws's server sees it: what it sends, closes and hears. */
class SocketAdapter implements GraphqlWsSocket {
  // Every field from the start: one that came later would cost each socket a property array.
  readonly extra: SocketExtra;
  private handle: ((data: string) => Promise<void>) | null = null;
  closed: ((code?: number, reason?: string) => Promise<void>) | null = null;

  constructor(
    private readonly socket: WebSocket,
    address: string,
    private readonly logger: Logger,
  ) {
    this.extra = { socket, address, context: null, operations: null };
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  send(data: string): Promise<void> {
    const { socket } = this;
    return new Promise((resolve, reject) => {
      // Nothing is sent to a socket that has closed, and that is no failure: its operations end.
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(data, (error) => (error && socket.readyState === socket.OPEN ? reject(error) : resolve()));
    });
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    this.handle = handle;
  }

  received(data: string): void {
    this.handle?.(data).catch((error: unknown) => {
      // What graphql-ws's useServer does too: a message it could not handle closes with 4500.
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'graphql-ws message failed');
      this.socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
  }

  /** The socket has closed: its operations end, whatever graphql-ws holds, then graphql-ws is told. */
  ended(code: number, reason: string): void {
    this.extra.operations?.close();
    this.closed?.(code, reason).catch((error: unknown) => this.logger.warn({ err: error }, 'graphql-ws close failed'));
  }
}

function refuseUpgrade(
  socket: Duplex,
  status: number,
  text: string,
  message: string,
  headers: Record<string, string | number> = {},
): void {
  const fields = { Connection: 'close', 'Content-Type': 'text/plain; charset=utf-8', ...headers };
  const head = Object.entries({ ...fields, 'Content-Length': Buffer.byteLength(message) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${head}\r\n${message}`);
}

/**
 * The glue between ws and graphql-ws's server, as thin as graphql-ws's own `useServer` but for three
 * things this service needs of it: sockets counted per client address (refused past the limit at
 * the upgrade, before any work); one keep-alive sweep over all sockets instead of timers for each;
 * and the socket's operations ended when it closes, whatever graphql-ws holds.
 */
export function createWsTransport({
  httpServer,
  server,
  path,
  maxMessageBytes,
  maxSocketsPerClient,
  clientOf,
  keepAliveMs,
  metrics,
  logger,
}: WsTransportOptions): WsTransport {
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes, handleProtocols });
  const socketsOf = new ClientCounts();
  // A client at the limit gets a socket back when one of its own closes, which the service cannot
  // foresee, or when the keep-alive sweep drops one that stopped answering (a client that lost its
  // network and opened new ones): by the next sweep, those that missed the last ping are gone.
  const retryAfterSeconds = Math.max(1, Math.ceil(keepAliveMs / 1_000));

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== path) {
      refuseUpgrade(socket, 404, 'Not Found', `WebSockets are served on ${path}`);
      return;
    }
    const address = clientOf(request);
    const open = socketsOf.get(address);
    if (open >= maxSocketsPerClient) {
      refuseUpgrade(
        socket,
        429,
        'Too Many Requests',
        `Too many WebSockets from this address: at most ${maxSocketsPerClient}; close one, or try again in ${retryAfterSeconds} s`,
        { 'Retry-After': retryAfterSeconds },
      );
      return;
    }
    // Without verifyClient, ws completes the handshake at once: the count cannot be raced.
    wsServer.handleUpgrade(request, socket, head, (webSocket) => connected(webSocket, address));
  }
  httpServer.on('upgrade', onUpgrade);

  const adapters = new WeakMap<WebSocket, SocketAdapter>();
  function connected(socket: WebSocket, address: string) {
    socketsOf.add(address, 1);
    metrics.socketOpened();
    const adapter = new SocketAdapter(socket, address, logger);
    adapters.set(socket, adapter);
    // Listeners shared by every socket (`this` is the socket): a socket holds no closures of its own.
    socket.on('message', onSocketMessage);
    socket.on('close', onSocketClose);
    // ws has already closed the socket with the fitting code (1009 too large, 1002 a bad frame...).
    socket.on('error', onSocketError);
    socket.on('pong', answeredPing);
    adapter.closed = server.opened(adapter, adapter.extra);
  }

  function onSocketMessage(this: WebSocket, data: RawData) {
    adapters.get(this)?.received(String(data));
  }
  function onSocketClose(this: WebSocket, code: number, reason: Buffer) {
    const adapter = adapters.get(this);
    if (!adapter) return;
    adapters.delete(this);
    socketsOf.add(adapter.extra.address, -1);
    metrics.socketClosed();
    adapter.ended(code, String(reason));
  }

  // One sweep for all sockets rather than timers for each: a socket that has not answered the
  // previous sweep's ping is dropped, the others are pinged again.
  const awaitingPong = new WeakSet<WebSocket>();
  const keepAlive = setInterval(() => {
    for (const socket of wsServer.clients) {
      if (socket.readyState !== socket.OPEN) continue;
      if (awaitingPong.has(socket)) {
        socket.terminate();
        continue;
      }
      awaitingPong.add(socket);
      socket.ping();
    }
  }, keepAliveMs);
  function answeredPing(this: WebSocket) {
    awaitingPong.delete(this);
  }
  function onSocketError(error: Error) {
    logger.debug({ err: error.message }, 'WebSocket closed on a client error');
  }

  let closing: Promise<void> | null = null;
  return {
    close() {
      closing ??= (async () => {
        clearInterval(keepAlive);
        httpServer.off('upgrade', onUpgrade);
        for (const socket of wsServer.clients) socket.close(1001, 'Going away');
        await new Promise<void>((resolve, reject) => wsServer.close((error) => (error ? reject(error) : resolve())));
      })();
      return closing;
    },
  };
}
