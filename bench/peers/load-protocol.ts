/** Messages between a suite and its load peers (bench/peers/ws-load.ts, bench/peers/stepper.ts), over IPC. */

export type LoadCommand =
  | {
      type: 'open';
      /** http://host:port of the server; sockets go to ws://host:port/graphql. */
      url: string;
      /** graphql: graphql-transport-ws, one taskProgress subscription per task; bare: the socket only. */
      mode: 'graphql' | 'bare';
      sockets: number;
      /** Subscriptions on each socket (graphql mode). */
      perSocket: number;
      /** Subscription i (over all sockets) watches taskIds[i % taskIds.length]. */
      taskIds: string[];
      /** Handshakes in flight at once. */
      concurrency: number;
      timeoutMs: number;
    }
  /** Answer `delivered` once `expected` events with this `current` have arrived, or at the deadline. */
  | { type: 'expect'; current: number; expected: number; timeoutMs: number }
  | { type: 'close' };

export type LoadReport =
  | { type: 'opened'; sockets: number; subscriptions: number; failed: number; ms: number }
  | { type: 'delivered'; current: number; received: number; expected: number; ms: number }
  | { type: 'closed' }
  | { type: 'error'; message: string };

export type StepperCommand =
  { type: 'start'; prefix: string; redisUrl: string; taskIds: string[]; perSecond: number } | { type: 'stop' };

export type StepperReport =
  | { type: 'running'; tasks: number }
  | { type: 'stopped'; steps: number; lateTicks: number }
  | { type: 'error'; message: string };
