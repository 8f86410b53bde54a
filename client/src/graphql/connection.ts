import { createClient, type Client } from 'graphql-ws';

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

/**
 * One graphql-ws socket to the API, kept open and retried forever (the API may restart or move),
 * with its state for the page to show.
 */
export function createConnection(url: string): Connection {
  let state: ConnectionState = 'connecting';
  let everConnected = false;
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
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, MAX_RETRY_WAIT_MS))),
    on: {
      connected: () => {
        set('connected');
        if (everConnected) reconnectListeners.forEach((listener) => listener());
        everConnected = true;
      },
      closed: () => set(everConnected ? 'reconnecting' : 'connecting'),
    },
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
