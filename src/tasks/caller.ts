import { limitClient } from '../../core/keys.js';

/** Who sends an operation, over HTTP or over a WebSocket alike. */
export interface Caller {
  /** The client's address (see http/client-address.ts): what the per-client limits count by without a token. */
  client: string;
  /** The token's subject when authentication is on: the caller sees only its own tasks. */
  owner: string | null;
}

/**
 * Whom the per-client limits of creations, reads and subscriptions count against: the owner when
 * the caller is authenticated (one user behind many addresses is one client), else the address.
 */
export function limitKey({ client, owner }: Caller): string {
  return limitClient(owner, client);
}
