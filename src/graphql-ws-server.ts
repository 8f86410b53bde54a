import type { Server } from 'node:http';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { CloseCode, handleProtocols, makeServer, type Disposable } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../core/logger.js';
import { clientAddress } from './client-address.js';
import type { Authenticator } from './auth.js';
import type { DocumentCache } from './document-cache.js';
import { asGraphQLError } from './errors.js';
import type { Caller, Context } from './graphql/context.js';
import { subscribe } from './graphql/subscribe.js';

export interface GraphqlWsOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  /** The context of one operation, for its caller. */
  contextFor(caller: Caller): Context;
  /** Reads the token in connection_init's payload (`{ "authorization": "Bearer <token>" }`). */
  auth: Authenticator;
  /** Operation texts parsed and validated once, with the same rules as over HTTP. */
  documents: DocumentCache;
  /** Operations (mostly subscriptions) one socket may have running at once. */
  maxOperationsPerSocket: number;
  /** A socket that has not sent connection_init by then is closed (4408). */
  connectionInitTimeoutMs: number;
  /** Every socket is pinged this often; one that has not answered the last ping is dropped. */
  keepAliveMs: number;
  /** A larger message closes the socket (1009), as a larger HTTP body is refused. */
  maxMessageBytes: number;
  logger: Logger;
}

interface Extra {
  /** The client's address (client-address.ts); the upgrade request itself is not kept. */
  client: string;
  /** Who the token says the caller is (null with authentication off)... */
  owner?: string | null;
  /** ...or why it was refused: every operation on this socket then answers with it. */
  authError?: GraphQLError;
}

/** graphql-ws's view of one ws socket; a class, so that its methods are shared by all sockets. */
class SocketForGraphqlWs {
  constructor(
    private readonly socket: WebSocket,
    private readonly logger: Logger,
  ) {}

  get protocol(): string {
    return this.socket.protocol;
  }

  send(data: string): Promise<void> {
    const { socket } = this;
    return new Promise<void>((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handle: (data: string) => Promise<void>): void {
    this.socket.on('message', async (data) => {
      try {
        await handle(String(data));
      } catch (error) {
        this.logger.error({ err: error }, 'graphql-ws message failed');
        this.socket.close(CloseCode.InternalServerError, 'Internal server error');
      }
    });
  }
}

/**
 * graphql-transport-ws on /graphql: graphql-ws's protocol server (makeServer) on a ws server.
 *
 * Every operation is parsed and validated here (onSubscribe) rather than by graphql-ws itself: a
 * syntax error then answers that operation with an error instead of closing the socket (graphql-ws
 * lets a parse error escape, which ends the connection with 4500), and the cost limits apply as
 * they do over HTTP.
 *
 * The glue to ws is graphql-ws's own `useServer` (graphql-ws/use/ws), rewritten only to log through
 * pino: its version writes a stack trace to the console for every socket a client breaks (a bad
 * frame, a message over the size limit), which any client could use to flood the output.
 */
export function createGraphqlWsServer({
  httpServer,
  schema,
  contextFor,
  auth,
  documents,
  maxOperationsPerSocket,
  connectionInitTimeoutMs,
  keepAliveMs,
  maxMessageBytes,
  logger,
}: GraphqlWsOptions): Disposable {
  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    schema,
    subscribe,
    connectionInitWaitTimeout: connectionInitTimeoutMs,
    context: (ctx) => contextFor({ client: ctx.extra.client, owner: ctx.extra.owner ?? null }),
    async onConnect(ctx) {
      const params = ctx.connectionParams ?? {};
      try {
        ctx.extra.owner = await auth.ownerOf(params.authorization ?? params.Authorization);
      } catch (error) {
        ctx.extra.authError = asGraphQLError(error);
      }
      return true;
    },
    onSubscribe(ctx, _id, payload) {
      if (ctx.extra.authError) return [ctx.extra.authError];
      // graphql-ws has put this operation in the list already, so the list holds it too.
      const running = Object.keys(ctx.subscriptions).length;
      if (running > maxOperationsPerSocket) {
        return [
          new GraphQLError(
            `Too many subscriptions on this connection: at most ${maxOperationsPerSocket} at once; complete one first`,
            { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: maxOperationsPerSocket } },
          ),
        ];
      }
      const prepared = documents.get(payload.query);
      if ('errors' in prepared) return prepared.errors;
      // graphql-ws keeps the message for as long as the operation lives: let it hold the cache's
      // copy of the text, which all operations sending the same text share, instead of its own.
      (payload as { query: string }).query = prepared.query;
      return {
        schema,
        document: prepared.document,
        operationName: payload.operationName,
        variableValues: payload.variables,
      };
    },
  });

  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: maxMessageBytes,
    handleProtocols: (protocols) => handleProtocols(protocols),
  });
  // The HTTP server's own errors come here too; the API's listen() reports them.
  wsServer.on('error', (error) => logger.warn({ err: error.message }, 'WebSocket server error'));

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
  const onSocketError = (error: Error) => logger.debug({ err: error.message }, 'WebSocket closed on a client error');

  wsServer.on('connection', (socket, request) => {
    // ws has already closed the socket with the fitting code (1009 too large, 1002 a bad frame...).
    socket.on('error', onSocketError);
    socket.on('pong', answeredPing);

    const closed = server.opened(new SocketForGraphqlWs(socket, logger), {
      client: clientAddress(request.socket.remoteAddress),
    });

    socket.once('close', (code, reason) => {
      closed(code, String(reason)).catch((error: unknown) =>
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'graphql-ws close failed'),
      );
    });
  });

  return {
    async dispose() {
      clearInterval(keepAlive);
      // 1001 (going away): graphql-ws clients retry, on another instance if there is one.
      for (const client of wsServer.clients) client.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) => wsServer.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
