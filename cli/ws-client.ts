import { CloseCode, createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { CliError, ExitCode, responseTooLarge, unreachable } from './errors.js';
import { readGraphQLErrors } from './graphql-answer.js';
import { withoutEmptyQuery } from './persisted-documents.js';

export interface WsClientOptions {
  /** The GraphQL endpoint over WebSocket. */
  url: string;
  token?: string;
  /** Milliseconds from opening a WebSocket to its `connection_ack`. */
  timeoutMs: number;
  /** Bytes one message may hold. */
  maxMessageBytes: number;
  /** Times a socket that closed after it had been acknowledged is opened again. */
  retryAttempts: number;
  /** Milliseconds between pings of an idle socket; half of it for the pong. */
  keepAliveMs: number;
}

export interface WsClient {
  client: Client;
  /** What a watch ends with when graphql-ws gives up, or the server answers an operation with errors. */
  failure(error: unknown): CliError;
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

function socketFailure(error: unknown, url: string): CliError {
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
 * graphql-ws' client on `ws`, lazy, with the token in connection_init, bounded in time and size:
 * each socket is acknowledged within `timeoutMs` of being opened or is cut (ws' `handshakeTimeout`
 * is a bound on silence, which a server answering a byte at a time never reaches, and graphql-ws'
 * acknowledgement wait starts only once the socket is open), and a message larger than
 * `maxMessageBytes` closes it (ws' `maxPayload`) and is not asked for again.
 */
export function createWsClient({
  url,
  token,
  timeoutMs,
  maxMessageBytes,
  retryAttempts,
  keepAliveMs,
}: WsClientOptions): WsClient {
  let everConnected = false;
  /** Why the newest socket was cut by the command line itself, if it was. */
  let cut: CliError | undefined;

  class BoundedWebSocket extends WebSocket {
    private readonly deadline: NodeJS.Timeout;

    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { maxPayload: maxMessageBytes });
      cut = undefined;
      this.deadline = setTimeout(() => {
        cut = unreachable(`${url} did not open and acknowledge a WebSocket within ${timeoutMs / 1000} s`);
        this.terminate();
      }, timeoutMs);
      this.once('close', () => clearTimeout(this.deadline));
      this.on('error', (error: Error & { code?: string }) => {
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') cut = responseTooLarge(url, maxMessageBytes);
      });
    }

    acknowledged() {
      clearTimeout(this.deadline);
    }
  }

  let open: WebSocket | undefined;
  let pongTimer: NodeJS.Timeout | undefined;
  const client = createClient({
    url,
    webSocketImpl: BoundedWebSocket,
    jsonMessageReplacer: withoutEmptyQuery,
    lazy: true,
    connectionParams: token ? { authorization: `Bearer ${token}` } : undefined,
    keepAlive: keepAliveMs,
    retryAttempts,
    // A first connection that fails is not retried: nothing may be listening there at all. A
    // message too large would come again.
    shouldRetry: (error) =>
      everConnected &&
      cut?.code !== 'RESPONSE_TOO_LARGE' &&
      !(isCloseEvent(error) && error.code === CloseCode.Forbidden),
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 2_000) + Math.random() * 250)),
    on: {
      opened: (opened) => (open = opened as WebSocket),
      connected: (socket) => {
        (socket as BoundedWebSocket).acknowledged();
        everConnected = true;
      },
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
  return {
    client,
    failure: (error) => (Array.isArray(error) ? readGraphQLErrors(error, url) : (cut ?? socketFailure(error, url))),
  };
}
