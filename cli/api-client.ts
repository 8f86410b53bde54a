import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print, type DocumentNode } from 'graphql';
import { interrupted, type CliError } from './errors.js';
import { readGraphQLAnswer } from './graphql-answer.js';
import { postJson } from './json-request.js';
import { documentIdOf, refusesDocumentIds } from './persisted-documents.js';
import { createWsClient, type WsClient } from './ws-client.js';

export interface ApiClientOptions {
  /** The GraphQL endpoint over HTTP, and over WebSocket. */
  httpUrl: string;
  wsUrl: string;
  token?: string;
  /** Aborts every request and watch (Ctrl-C). */
  signal: AbortSignal;
  /**
   * Milliseconds an HTTP request may take, and a WebSocket to open and be acknowledged.
   * @defaultValue 15_000
   */
  timeoutMs?: number;
  /**
   * Bytes an HTTP answer, and a WebSocket message, may hold: a larger one is not read, and the
   * command fails saying so.
   */
  maxResponseBytes: number;
  /**
   * Times a WebSocket that closed (or stopped answering pings) is opened again, waiting 0.25, 0.5,
   * 1, 2, 2... seconds before each, before the watches on it give up. A first connection that
   * fails is not retried: nothing may be listening there at all.
   * @defaultValue 5
   */
  retryAttempts?: number;
  /**
   * Milliseconds between pings of an idle WebSocket; one whose pong has not come within half of it
   * is taken for dead and opened again.
   * @defaultValue 10_000
   */
  keepAliveMs?: number;
}

export interface Sink<T> {
  next(data: T): void;
  error(error: CliError): void;
  complete(): void;
}

export interface ApiClient {
  /** A query or mutation over HTTP; its data, or a CliError. */
  request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R>;
  /** A subscription over graphql-ws; answers a function that ends it. */
  subscribe<R, V>(document: TypedDocumentNode<R, V>, variables: V, sink: Sink<R>): () => void;
  /** Closes the WebSocket, if one was opened. */
  close(): Promise<void>;
}

interface WireOperation {
  query: string;
  operationName?: string;
  /** Its id in the manifest the API serves (codegen's), when it has one. */
  documentId?: string;
}

const printed = new WeakMap<object, WireOperation>();

/** The text, name and id of a generated document, as they go over the wire (printed once). */
function wire(document: DocumentNode): WireOperation {
  let operation = printed.get(document);
  if (!operation) {
    const documentId = documentIdOf(document);
    operation = { query: print(document), operationName: getOperationAST(document)?.name?.value, documentId };
    printed.set(document, operation);
  }
  return operation;
}

/**
 * What a request or subscribe message holds: the document's id instead of its text, so that an API
 * with TRUSTED_DOCUMENTS=only runs it, unless the API has said it does not serve ids.
 */
function sent({ query, operationName, documentId }: WireOperation, byId: boolean) {
  return byId && documentId ? { documentId, operationName } : { query, operationName };
}

/** Whether an answer is the API's refusal to run a document by its id (then it goes by its text). */
function refusedById(answer: unknown): boolean {
  const errors = typeof answer === 'object' && answer !== null ? (answer as { errors?: unknown }).errors : undefined;
  return Array.isArray(errors) && refusesDocumentIds(errors);
}

/**
 * The API as any client talks to it: queries and mutations over HTTP (fetch), subscriptions over
 * graphql-ws (its client on `ws`), the token in the Authorization header and in connection_init.
 */
export function createApiClient({
  httpUrl,
  wsUrl,
  token,
  signal,
  timeoutMs = 15_000, // 15 seconds
  maxResponseBytes,
  retryAttempts = 5,
  keepAliveMs = 10_000, // 10 seconds
}: ApiClientOptions): ApiClient {
  let ws: WsClient | undefined;
  /** Documents go by id until the API answers that it does not serve them so (then by text, once more). */
  let byId = true;
  const socket = () =>
    (ws ??= createWsClient({
      url: wsUrl,
      token,
      timeoutMs,
      maxMessageBytes: maxResponseBytes,
      retryAttempts,
      keepAliveMs,
    }));

  async function request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    };
    const operation = wire(document);
    const usedId = byId && operation.documentId !== undefined;
    const body = JSON.stringify({ ...sent(operation, usedId), variables });
    const answer = await postJson(httpUrl, headers, body, { signal, timeoutMs, maxResponseBytes });
    // Refused before anything of it ran: the same operation again, by its text.
    if (usedId && refusedById(answer)) {
      byId = false;
      return request(document, variables);
    }
    return readGraphQLAnswer(document, variables, answer, httpUrl);
  }

  return {
    request,

    subscribe<R, V>(document: TypedDocumentNode<R, V>, variables: V, sink: Sink<R>): () => void {
      if (signal.aborted) {
        sink.error(interrupted());
        return () => undefined;
      }
      let ended = false;
      let unsubscribe = () => {};
      const onAbort = () => {
        unsubscribe();
        end(() => sink.error(interrupted()));
      };
      const end = (finish: () => void) => {
        if (ended) return;
        ended = true;
        signal.removeEventListener('abort', onAbort);
        finish();
      };
      signal.addEventListener('abort', onAbort);
      const operation = wire(document);
      const start = (usedId: boolean) =>
        socket().client.subscribe<R>(
          // graphql-ws's client wants a query string; its replacer leaves an empty one out (ws-client.ts).
          { query: '', ...sent(operation, usedId), variables: variables as Record<string, unknown> },
          {
            next: (result) => {
              if (ended) return;
              let data: R;
              try {
                data = readGraphQLAnswer(document, variables, result, wsUrl);
              } catch (error) {
                end(() => sink.error(error as CliError));
                unsubscribe();
                return;
              }
              sink.next(data);
            },
            error: (error) => {
              // Refused before it started: the same subscription again, by its text.
              if (usedId && !ended && refusedById({ errors: error })) {
                byId = false;
                unsubscribe = start(false);
                return;
              }
              end(() => sink.error(socket().failure(error)));
            },
            complete: () => end(() => sink.complete()),
          },
        );
      unsubscribe = start(byId && operation.documentId !== undefined);
      return () => {
        unsubscribe();
        end(() => sink.complete());
      };
    },

    async close() {
      await ws?.client.dispose();
    },
  };
}
