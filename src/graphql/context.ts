import type { TaskService } from '../task-service.js';

/** Who sends an operation. */
export interface Caller {
  /** The client's address, for per-client limits (see client-address.ts). */
  client: string;
  /** The token's subject when authentication is on: the caller sees only its own tasks. */
  owner: string | null;
}

/** What every resolver gets, over HTTP and over WebSocket alike. */
export interface Context {
  tasks: TaskService;
  caller: Caller;
}
