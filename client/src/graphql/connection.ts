import { CloseCode, createClient, type Client } from 'graphql-ws';
import type { Auth } from './auth';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

export interface Connection {
  ws: Client;
  state(): ConnectionState;
  /** Called on every change of state; answers a function that stops listening. */
  onChange(listener: (state: ConnectionState) => void): () => void;
  /** Called each time the socket is back after a drop (not on the first connection). */
  onReconnected(listener: () => void): () => void;
}

const MAX_RETRY_WAIT_MS = 3_000;

/** What graphql-ws gives its `closed` listeners: a CloseEvent in a browser. */
function closeOf(event: unknown): { code: number; reason: string } | null {
  if (!event || typeof event !== 'object' || !('code' in event)) return null;
  const { code, reason } = event as { code: unknown; reason?: unknown };
  return typeof code === 'number' ? { code, reason: typeof reason === 'string' ? reason : '' } : null;
}

/**
 * One graphql-ws socket to the API, kept open and retried forever (the API may restart or move),
 * with its state for the page to show. It sends the signed-in token in connection_init; a socket
 * the service refuses for its token (4403) waits for another token before it tries again.
 */
export function createConnection(url: string, auth: Auth): Connection {
  let state: ConnectionState = 'connecting';
  let everConnected = false;
  /** The token the socket being opened sent, and whether the service refused it. */
  let sentToken: string | null = null;
  let refused = false;
  const changeListeners = new Set<(state: ConnectionState) => void>();
  const reconnectListeners = new Set<() => void>();
  const set = (next: ConnectionState) => {
    state = next;
    changeListeners.forEach((listener) => listener(next));
  };

  const ws = createClient({
    url,
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    connectionParams: () => {
      sentToken = auth.token();
      return sentToken ? { authorization: `Bearer ${sentToken}` } : {};
    },
    retryWait: async (retries) => {
      // Refused for its token: the same token would be refused again.
      if (refused && auth.token() === sentToken) await auth.tokenChanged();
      else await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, MAX_RETRY_WAIT_MS)));
    },
    on: {
      connected: () => {
        refused = false;
        auth.accepted(sentToken);
        set('connected');
        if (everConnected) reconnectListeners.forEach((listener) => listener());
        everConnected = true;
      },
      closed: (event) => {
        const close = closeOf(event);
        refused = close?.code === CloseCode.Forbidden;
        if (refused) auth.refused(close!.reason.replace(/^Forbidden: /, ''), sentToken);
        set(everConnected ? 'reconnecting' : 'connecting');
      },
    },
  });
  // Signed out, or in as someone else: the socket open with the old token is closed, and opened again.
  auth.onChange(() => {
    if (auth.token() !== sentToken && state === 'connected') ws.terminate();
  });

  return {
    ws,
    state: () => state,
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onReconnected(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
  };
}

/** ws:// or wss:// for the page's own origin. */
export function graphqlWsUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
}
