import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import {
  CloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  MessageType,
  parseMessage,
  type Message,
  type SubscribePayload,
} from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { Logger } from '../core/logger.js';

/** What the server decides for every socket (graphql-ws-server.ts). */
export interface ConnectionPolicy {
  /** A socket that has not sent connection_init by then is closed (4408). */
  connectionInitTimeoutMs: number;
  /** Reads connection_init's payload; the socket is acknowledged once it resolves. */
  connect(connection: GraphqlWsConnection, params: Record<string, unknown>): Promise<void>;
  /**
   * The arguments to run an operation with, or the errors to answer it with. `running` counts the
   * socket's operations, this one included.
   */
  prepare(connection: GraphqlWsConnection, payload: SubscribePayload, running: number): ExecutionArgs | GraphQLError[];
  logger: Logger;
}

/** One operation's event stream, while it runs; null while it is being set up. */
type Running = AsyncIterator<unknown> | null;

/**
 * The server side of graphql-transport-ws (graphql-ws's protocol) for one socket: what graphql-ws's
 * `makeServer` does, message for message and close code for close code, in a form that holds less
 * for each live subscription, of which an API instance holds tens of thousands. makeServer keeps per
 * operation a suspended handler of every message type, an emitter of three closures and the whole
 * `subscribe` message, and per socket a context and closures of its own. Here: one object per
 * socket, a map of its operations, and per subscription one small suspended loop (pump) between its
 * event stream and the socket (BENCHMARKS.md, fanout: 8.4 KiB of heap per subscription before, 5.9
 * after, with everything else that changed alongside).
 */
export class GraphqlWsConnection {
  /** Who the token says the caller is (null with authentication off)... */
  owner: string | null = null;
  /** ...or why it was refused: every operation on this socket then answers with it. */
  authError: GraphQLError | null = null;
  /** The context of the socket's operations, made by the policy once the caller is known. */
  context: unknown = null;

  private initReceived = false;
  private acknowledged = false;
  private initTimer: NodeJS.Timeout | null = null;
  private operations = new Map<string, Running>();

  constructor(
    private readonly socket: WebSocket,
    private readonly policy: ConnectionPolicy,
    /** The client's address (client-address.ts); the upgrade request itself is not kept. */
    readonly client: string,
  ) {
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) {
      socket.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
      return;
    }
    this.initTimer = setTimeout(() => {
      this.initTimer = null;
      if (!this.initReceived)
        this.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
    }, policy.connectionInitTimeoutMs);
    socket.on('message', (data) => this.receive(String(data)));
    socket.on('close', () => this.closed());
  }

  private receive(data: string): void {
    let message: Message;
    try {
      message = parseMessage(data);
    } catch {
      return this.close(CloseCode.BadRequest, 'Invalid message received');
    }
    this.handle(message).catch((error: unknown) => this.failed(error));
  }

  /** A fault of the server's own (a message to a closed socket is none): the socket is closed with 4500. */
  private failed(error: unknown): void {
    this.policy.logger.error({ err: error }, 'graphql-ws operation failed');
    this.close(CloseCode.InternalServerError, 'Internal server error');
  }

  private async handle(message: Message): Promise<void> {
    switch (message.type) {
      case MessageType.ConnectionInit:
        return this.init(message.payload);
      case MessageType.Ping:
        return this.send(
          message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong },
        );
      case MessageType.Pong:
        return;
      case MessageType.Subscribe:
        return this.subscribe(message.id, message.payload);
      case MessageType.Complete:
        return this.complete(message.id);
      default:
        // A message only a server sends (connection_ack, next, error).
        return this.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
    }
  }

  private async init(payload: unknown): Promise<void> {
    if (this.initReceived)
      return this.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
    this.initReceived = true;
    if (this.initTimer) clearTimeout(this.initTimer);
    this.initTimer = null;
    const params = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    await this.policy.connect(this, params);
    this.acknowledged = true;
    await this.send({ type: MessageType.ConnectionAck });
  }

  private async subscribe(id: string, payload: SubscribePayload): Promise<void> {
    if (!this.acknowledged) return this.close(CloseCode.Unauthorized, 'Unauthorized');
    if (this.operations.has(id)) {
      // A close reason may take 123 bytes.
      const which = Buffer.byteLength(id) <= 64 ? ` for ${id}` : '';
      return this.close(CloseCode.SubscriberAlreadyExists, `Subscriber${which} already exists`);
    }
    this.operations.set(id, null);
    let pumping = false;
    try {
      const args = this.policy.prepare(this, payload, this.operations.size);
      if (Array.isArray(args)) return await this.sendErrors(id, args);
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation) return await this.sendErrors(id, [new GraphQLError('Unable to identify operation')]);

      if (operation.operation !== 'subscription') {
        const result = await execute(args);
        if (this.operations.has(id)) await this.sendNext(id, result);
        if (this.operations.has(id)) await this.send({ id, type: MessageType.Complete });
        return;
      }
      const stream = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in stream)) {
        // The subscription did not start (its resolver refused: an unknown task, say). An operation
        // that never ran is answered with an error message, not with a result.
        const errors = stream.errors ?? [new GraphQLError('The subscription did not start')];
        if (this.operations.has(id)) await this.sendErrors(id, errors);
        return;
      }
      const events = stream[Symbol.asyncIterator]();
      if (!this.operations.has(id)) {
        await events.return?.(); // completed by the client while it was being set up
        return;
      }
      this.operations.set(id, events);
      pumping = true;
      this.pump(id, events, args).catch((error: unknown) => this.failed(error));
    } finally {
      if (!pumping) this.operations.delete(id);
    }
  }

  /**
   * Each source event executed as the operation's root value (as graphql-js's subscribe() does) and
   * sent, one at a time, until the stream ends (then complete), fails (then an error) or the client
   * completes the operation or goes away (then nothing more is sent).
   */
  private async pump(id: string, events: AsyncIterator<unknown>, args: ExecutionArgs): Promise<void> {
    try {
      // Each event is handled in deliver(), not in this loop's own variables: a suspended async
      // function keeps the values its variables last held, here the last event and its result,
      // for as long as the subscription waits for the next one.
      while (await this.deliver(id, events, args, await events.next()));
      if (this.stillRunning(id, events)) await this.send({ id, type: MessageType.Complete });
    } catch (error) {
      await events.return?.().catch(() => undefined); // as graphql-js: a failed execution ends the source
      const cause = error instanceof Error ? error : new Error(String(error));
      if (this.stillRunning(id, events)) {
        await this.sendErrors(id, [new GraphQLError(cause.message, { originalError: cause })]);
      }
    } finally {
      if (this.stillRunning(id, events)) this.operations.delete(id);
    }
  }

  /** Sends one event's result; answers whether the operation goes on. */
  private async deliver(
    id: string,
    events: AsyncIterator<unknown>,
    args: ExecutionArgs,
    event: IteratorResult<unknown>,
  ): Promise<boolean> {
    if (event.done || !this.stillRunning(id, events)) return false;
    const result = await execute({ ...args, rootValue: event.value });
    if (!this.stillRunning(id, events)) return false;
    await this.sendNext(id, result);
    return true;
  }

  /** Whether `events` is still the stream of operation `id`: not completed, nor its id taken again. */
  private stillRunning(id: string, events: AsyncIterator<unknown>): boolean {
    return this.operations.get(id) === events;
  }

  private async complete(id: string): Promise<void> {
    const events = this.operations.get(id);
    this.operations.delete(id);
    await events?.return?.();
  }

  /** The socket has closed: every running operation's stream is ended. */
  private closed(): void {
    if (this.initTimer) clearTimeout(this.initTimer);
    this.initTimer = null;
    const running = [...this.operations.values()];
    this.operations.clear();
    for (const events of running) {
      events
        ?.return?.()
        .catch((error: unknown) =>
          this.policy.logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'ending a subscription failed',
          ),
        );
    }
  }

  private sendNext(id: string, { errors, ...rest }: ExecutionResult): Promise<void> {
    return this.send({ id, type: MessageType.Next, payload: errors ? { ...rest, errors } : rest });
  }

  private sendErrors(id: string, errors: readonly GraphQLError[]): Promise<void> {
    return this.send({ id, type: MessageType.Error, payload: errors });
  }

  /**
   * Resolves once ws has written it, so that a slow client holds its next event back. Nothing is
   * sent to a socket that has closed, and that is no failure: closing it ended its operations.
   */
  private send(message: object): Promise<void> {
    const { socket } = this;
    return new Promise<void>((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(JSON.stringify(message), (error) =>
        error && socket.readyState === socket.OPEN ? reject(error) : resolve(),
      );
    });
  }

  private close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
}
