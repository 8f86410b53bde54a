import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print, type DocumentNode, type ExecutionResult } from 'graphql';
import { CloseCode, createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { CliError, ExitCode, fromGraphQLErrors, interrupted, unreachable, type WireGraphQLError } from './errors.js';
import { documentIdOf, refusesDocumentIds, withoutEmptyQuery } from './persisted-documents.js';

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

/** Why fetch could not get an answer: what a person can act on, from undici's error and its cause. */
function requestFailure(error: unknown, url: string, timeoutMs: number): CliError {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return unreachable(`no answer from ${url} within ${timeoutMs / 1000} s`);
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  const host = new URL(url).host;
  if (code === 'ECONNREFUSED') return unreachable(`cannot reach ${url}: nothing is listening at ${host}`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return unreachable(`cannot reach ${url}: unknown host ${host}`);
  return unreachable(`cannot reach ${url}: ${cause instanceof Error ? cause.message : String(cause)}`);
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}

/** Closes after which the service may well answer again: it restarted, or the network broke. */
const TRANSIENT_CLOSES = new Set<number>([
  1001,
  1006,
  1011,
  1012,
  1013,
  1014,
  CloseCode.ConnectionInitialisationTimeout,
  CloseCode.ConnectionAcknowledgementTimeout,
  4499, // graphql-ws' own Terminated
]);

/** What a watch ends with when graphql-ws gives up, or the server answers an operation with errors. */
function socketFailure(error: unknown, url: string): CliError {
  if (Array.isArray(error)) return fromGraphQLErrors(error as WireGraphQLError[]);
  if (isCloseEvent(error)) {
    const why = `${error.code}${error.reason ? ` ${error.reason}` : ''}`;
    if (error.code === CloseCode.Forbidden) {
      return new CliError(`the API refused the connection: ${error.reason}`, ExitCode.usage, 'UNAUTHENTICATED');
    }
    if (TRANSIENT_CLOSES.has(error.code)) return unreachable(`the connection to ${url} closed (${why})`);
    return new CliError(`the API closed the connection (${why})`, ExitCode.failed, 'CLOSED');
  }
  // ws's error event while connecting: refused, unknown host, or an upgrade answered by a status.
  const message = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
  const status = /Unexpected server response: (\d+)/.exec(message)?.[1];
  if (status && Number(status) < 500) {
    return new CliError(`${url} refused the WebSocket (HTTP ${status})`, ExitCode.failed, 'REFUSED');
  }
  return unreachable(`cannot reach ${url}: ${message}`);
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
  retryAttempts = 5,
  keepAliveMs = 10_000, // 10 seconds
}: ApiClientOptions): ApiClient {
  let ws: Client | undefined;
  let everConnected = false;
  /** Documents go by id until the API answers that it does not serve them so (then by text, once more). */
  let byId = true;

  /** ws with a bound on the opening handshake, which graphql-ws does not set. */
  class BoundedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { handshakeTimeout: timeoutMs });
    }
  }

  function socket(): Client {
    if (ws) return ws;
    let open: WebSocket | undefined;
    let pongTimer: NodeJS.Timeout | undefined;
    ws = createClient({
      url: wsUrl,
      webSocketImpl: BoundedWebSocket,
      jsonMessageReplacer: withoutEmptyQuery,
      lazy: true,
      connectionParams: token ? { authorization: `Bearer ${token}` } : undefined,
      connectionAckWaitTimeout: timeoutMs,
      keepAlive: keepAliveMs,
      retryAttempts,
      shouldRetry: (error) => everConnected && !(isCloseEvent(error) && error.code === CloseCode.Forbidden),
      retryWait: (retries) =>
        new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 2_000) + Math.random() * 250)),
      on: {
        opened: (opened) => (open = opened as WebSocket),
        connected: () => (everConnected = true),
        // graphql-ws pings but never gives up on a missing pong: a socket that stopped answering
        // (a network that dropped it silently) is cut, and graphql-ws opens a new one.
        ping: (received) => {
          if (received) return;
          clearTimeout(pongTimer);
          const stale = open;
          pongTimer = setTimeout(() => stale?.terminate(), keepAliveMs / 2);
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
        closed: () => clearTimeout(pongTimer),
      },
    });
    return ws;
  }

  /** One request over HTTP: the answer as GraphQL JSON, or a CliError when there is none. */
  async function post<R>(body: Record<string, unknown>): Promise<ExecutionResult<R> & { errors?: WireGraphQLError[] }> {
    let response: Response;
    try {
      response = await fetch(httpUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (error) {
      throw signal.aborted ? interrupted() : requestFailure(error, httpUrl, timeoutMs);
    }
    const type = response.headers.get('content-type') ?? '';
    if (!/json/.test(type)) {
      await response.body?.cancel();
      if (response.status >= 502 && response.status <= 504) {
        throw unreachable(`${httpUrl} answered ${response.status}: the API is not available right now`);
      }
      throw unreachable(
        `${httpUrl} answered ${response.status} ${type || 'without a content type'}: not the task service`,
      );
    }
    let result: ExecutionResult<R> & { errors?: WireGraphQLError[] };
    try {
      result = (await response.json()) as typeof result;
    } catch (error) {
      if (signal.aborted) throw interrupted();
      throw new CliError(
        `${httpUrl} answered JSON that could not be read: ${String(error)}`,
        ExitCode.failed,
        'BAD_ANSWER',
      );
    }
    return result;
  }

  async function request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R> {
    const operation = wire(document);
    const usedId = byId && operation.documentId !== undefined;
    const result = await post<R>({ ...sent(operation, usedId), variables });
    // Refused before anything of it ran: the same operation again, by its text.
    if (usedId && refusesDocumentIds(result.errors)) {
      byId = false;
      return request(document, variables);
    }
    if (result.errors?.length) throw fromGraphQLErrors(result.errors);
    if (!result.data) throw new CliError(`${httpUrl} answered no data`, ExitCode.failed, 'BAD_ANSWER');
    return result.data;
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
        socket().subscribe<R>(
          // graphql-ws's client wants a query string; its replacer leaves an empty one out.
          { query: '', ...sent(operation, usedId), variables: variables as Record<string, unknown> },
          {
            next: (result) => {
              if (ended) return;
              if (result.errors?.length) {
                end(() => sink.error(fromGraphQLErrors(result.errors as WireGraphQLError[])));
                unsubscribe();
              } else if (result.data) sink.next(result.data);
            },
            error: (error) => {
              // Refused before it started: the same subscription again, by its text.
              if (usedId && Array.isArray(error) && refusesDocumentIds(error as WireGraphQLError[]) && !ended) {
                byId = false;
                unsubscribe = start(false);
                return;
              }
              end(() => sink.error(socketFailure(error, wsUrl)));
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
      await ws?.dispose();
    },
  };
}
