/**
 * The stock graphql-ws client, set up for the service with authentication on:
 *
 *   const client = createTaskServiceClient({ url: 'ws://localhost:4000/graphql', token });
 *
 * (in Node, pass `webSocketImpl` from the `ws` package too; a browser has its own WebSocket). The
 * dashboard and the command line do the same: a token refused at connection_init (4403) is not
 * sent again.
 */
import { CloseCode, createClient, type Client, type ClientOptions } from 'graphql-ws';

/** What graphql-ws hands `shouldRetry`: a close event, or an error (which it does not retry by default). */
function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}

/**
 * graphql-ws's own rule (retry a close, not an error) but for 4403 Forbidden: the service refused
 * the token and would refuse it again. graphql-ws retries 4403 on purpose (a server might grant
 * access later), as often as `retryAttempts` allows.
 */
export function shouldRetry(errOrCloseEvent: unknown): boolean {
  return isCloseEvent(errOrCloseEvent) && errOrCloseEvent.code !== CloseCode.Forbidden;
}

export function createTaskServiceClient({ token, ...options }: ClientOptions & { token: string }): Client {
  return createClient({
    ...options,
    // graphql-ws's connection_init payload, where the service reads the token.
    connectionParams: { authorization: `Bearer ${token}` },
    shouldRetry,
  });
}
