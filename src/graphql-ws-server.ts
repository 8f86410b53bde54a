import type { Server } from 'node:http';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { handleProtocols, type Disposable } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../core/logger.js';
import { clientAddress } from './client-address.js';
import type { Authenticator } from './auth.js';
import type { DocumentCache } from './document-cache.js';
import { asGraphQLError } from './errors.js';
import type { Caller, Context } from './graphql/context.js';
import { GraphqlWsConnection, type ConnectionPolicy } from './graphql-ws-connection.js';

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

/**
 * graphql-transport-ws on /graphql: the protocol (graphql-ws-connection.ts) on a ws server, with
 * this service's policy: the token in connection_init names the caller, and every operation is
 * parsed and validated through the document cache, with the same rules and cost limits as over
 * HTTP (a syntax error answers that operation with an error; the socket stays open).
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
  const policy: ConnectionPolicy = {
    connectionInitTimeoutMs,
    logger,
    async connect(connection, params) {
      try {
        connection.owner = await auth.ownerOf(params.authorization ?? params.Authorization);
      } catch (error) {
        connection.authError = asGraphQLError(error);
      }
    },
    prepare(connection, payload, running) {
      if (connection.authError) return [connection.authError];
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
      return {
        schema,
        document: prepared.document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        // One context for all the socket's operations: the caller is the same for each.
        contextValue: (connection.context ??= contextFor({ client: connection.client, owner: connection.owner })),
      };
    },
  };

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

    new GraphqlWsConnection(socket, policy, clientAddress(request.socket.remoteAddress));
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
