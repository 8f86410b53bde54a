import type { TaskService } from '../task-service.js';

/** What every resolver gets, over HTTP and over WebSocket alike. */
export interface Context {
  tasks: TaskService;
  /** Who sent the operation, for per-client limits (see client-address.ts). */
  client: string;
}
