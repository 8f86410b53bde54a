import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import type { Logger } from '../../core/logger.js';
import type { Context } from '../graphql/context.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';

/** What the service keeps with each socket, as graphql-ws's `extra`. */
export interface SocketExtra {
  socket: WebSocket;
  /** The client's address (http/client-address.ts); the upgrade request itself is not kept. */
  address: string;
  /** Set once connection_init's token is accepted (null until then). */
  context: Context | null;
  operations: SocketOperations | null;
}

/**
 * The subscriptions that send each of their subscribers every change of the service as a whole
 * (of every task, of the workers list), which each have a per-client limit of their own.
 */
export type Feed = 'taskUpdated' | 'workersChanged';

/** What the per-client limits count: every operation of a client, and those of each feed apart. */
export type PerClientCounts = { all: ClientCounts } & Record<Feed, ClientCounts>;

/** An operation of one socket: its kind for the per-client limits, and its stream once started. */
interface Operation {
  id: string;
  feed: Feed | null;
  stream: AsyncIterator<unknown> | null;
  /** The subscription's root field, once its stream has started. */
  field: string;
}

/** Things a client has open (sockets, operations), counted per client: what the per-client limits read. */
export class ClientCounts {
  private readonly counts = new Map<string, number>();

  get(client: string): number {
    return this.counts.get(client) ?? 0;
  }

  add(client: string, by: number): void {
    const count = this.get(client) + by;
    if (count > 0) this.counts.set(client, count);
    else this.counts.delete(client); // the map holds only clients with something open
  }
}

/**
 * What one socket has started, from the moment graphql-ws hands an operation to onSubscribe until
 * it ends (onComplete) or the socket closes. It is the service's own record, kept whatever
 * graphql-ws keeps: every source stream a socket started is returned when the socket closes, and a
 * stream that arrives after its operation ended or its socket closed is returned at once.
 */
export class SocketOperations {
  // A list rather than a Map: a socket has one operation or a few, and a Map's table costs more than
  // a look along them (a socket holds at most MAX_SUBSCRIPTIONS_PER_SOCKET).
  private readonly operations: Operation[] = [];
  private closed = false;

  constructor(
    /** Whom the per-client limits count this socket's operations against (see tasks/caller.ts). */
    readonly client: string,
    private readonly perClient: PerClientCounts,
    private readonly logger: Logger,
    private readonly metrics: ApiMetrics,
  ) {}

  /** Operations running on this socket, and on all the client's sockets. */
  get running(): number {
    return this.operations.length;
  }

  /** All of the client's operations, or those of one feed. */
  runningForClient(feed: Feed | null): number {
    return this.perClient[feed ?? 'all'].get(this.client);
  }

  /** Whether `id` names an operation that has not ended on the server yet. */
  has(id: string): boolean {
    return this.operations.some((operation) => operation.id === id);
  }

  begin(id: string, { feed }: { feed: Feed | null }): void {
    this.operations.push({ id, feed, stream: null, field: '' });
    this.count({ feed }, 1);
  }

  /** The source stream of subscription `id` (on `field`) has started: false when it had to be returned at once. */
  started(id: string, stream: AsyncIterator<unknown>, field: string): boolean {
    const operation = this.operations.find((running) => running.id === id);
    if (this.closed || !operation || operation.stream) {
      this.release(stream);
      return false;
    }
    operation.stream = stream;
    operation.field = field;
    this.metrics.subscriptionStarted(field);
    return true;
  }

  /** graphql-ws is done with operation `id` (answered, ended, or completed by the client). */
  ended(id: string): void {
    const at = this.operations.findIndex((operation) => operation.id === id);
    if (at === -1) return;
    const [operation] = this.operations.splice(at, 1) as [Operation];
    this.count(operation, -1);
    // graphql-ws returns the streams it iterates; this covers one it never took over.
    if (operation.stream) {
      this.release(operation.stream);
      this.metrics.subscriptionEnded(operation.field);
    }
  }

  /** The socket has closed: every stream it started is returned. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { id } of [...this.operations]) this.ended(id);
  }

  private count({ feed }: { feed: Feed | null }, by: number): void {
    this.perClient.all.add(this.client, by);
    if (feed) this.perClient[feed].add(this.client, by);
  }

  private release(stream: AsyncIterator<unknown>): void {
    stream
      .return?.()
      .catch((error: unknown) =>
        this.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'ending a subscription failed',
        ),
      );
  }
}

/**
 * The source streams onSubscribe has started, until graphql-ws's `subscribe` option asks for them.
 * graphql-ws calls `subscribe` with nothing but the arguments object onSubscribe returned, so that
 * object is the key: onSubscribe returns the very object it held the stream under, and whatever
 * wraps onSubscribe (ws/traced-operations.ts) hands it on as it is.
 */
export class StartedStreams {
  private readonly streams = new WeakMap<ExecutionArgs, AsyncIterator<ExecutionResult>>();

  /** Holds `stream` for `args`, and answers `args` for onSubscribe to return. */
  hold(args: ExecutionArgs, stream: AsyncIterator<ExecutionResult>): ExecutionArgs {
    this.streams.set(args, stream);
    return args;
  }

  take(args: ExecutionArgs): AsyncGenerator<ExecutionResult> {
    const stream = this.streams.get(args);
    if (!stream) throw new Error('a subscription reached graphql-ws without being started by onSubscribe');
    this.streams.delete(args);
    return stream as AsyncGenerator<ExecutionResult>;
  }
}
