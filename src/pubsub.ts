import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import type { PubSub } from 'type-graphql';

/** An object rather than a function: thousands are registered at once, one per watched task. */
export interface ResubscribeListener {
  resubscribed(): void;
}

/** An iterator over one channel's messages that is subscribed from the moment it is made. */
export interface ChannelSubscription<T> extends AsyncIterableIterator<T> {
  /** Resolves once Redis has confirmed the SUBSCRIBE: nothing published after that is missed. */
  ready: Promise<void>;
  /** Queues a value as if it had come from the channel (a snapshot read after a reconnect). */
  push(value: T): void;
  /** Ends the iterator and unsubscribes from Redis; safe to call more than once. */
  return(): Promise<IteratorResult<T>>;
}

/**
 * The pub/sub type-graphql needs, over Redis. Unlike RedisPubSub's own iterator, which subscribes on
 * its first next() and so misses what is published before, these subscribe when they are made and
 * say when Redis has confirmed it. Ending an iterator unsubscribes from Redis.
 */
export interface TaskPubSub extends PubSub {
  publish(channel: string, payload: unknown): void;
  subscribe<T = unknown>(channel: string, parse?: (message: unknown) => T): ChannelSubscription<T>;
  /**
   * `listener.resubscribed()` is called after the subscriber connection came back and Redis
   * confirmed its subscriptions again, until `offResubscribed(listener)`.
   */
  onResubscribed(listener: ResubscribeListener): void;
  offResubscribed(listener: ResubscribeListener): void;
  close(): Promise<void>;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

const DONE = { done: true, value: undefined } as const;

/**
 * A class rather than closures: thousands of these live at once (one per subscription), and
 * methods on the prototype cost nothing per instance.
 */
class RedisChannelSubscription<T> implements ChannelSubscription<T> {
  readonly ready: Promise<void>;
  private buffer: T[] = [];
  private waiters: Waiter<T>[] = [];
  private failure: unknown = null;
  private done = false;
  private readonly subscriptionId: Promise<number>;

  constructor(
    private readonly pubsub: RedisPubSub,
    channel: string,
    parse: (message: unknown) => T,
  ) {
    this.subscriptionId = pubsub.subscribe(channel, (message: unknown) => this.push(parse(message)));
    this.ready = this.subscriptionId.then(
      () => undefined,
      (error: unknown) => {
        this.failure = error;
        for (const waiter of this.waiters) waiter.reject(error);
        this.waiters = [];
        throw error;
      },
    );
    this.ready.catch(() => undefined); // the failure reaches next(); this only silences Node's warning
  }

  push(value: T): void {
    if (this.done) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve({ done: false, value });
    else this.buffer.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ done: false, value: this.buffer.shift()! });
    if (this.done) return Promise.resolve(DONE);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<T>> {
    if (this.done) return DONE;
    this.done = true;
    this.buffer = [];
    for (const waiter of this.waiters) waiter.resolve(DONE);
    this.waiters = [];
    const id = await this.subscriptionId.catch(() => null);
    if (id !== null) this.pubsub.unsubscribe(id);
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

export function createPubSub({ publisher, subscriber }: { publisher: Redis; subscriber: Redis }): TaskPubSub {
  const pubsub = new RedisPubSub({ publisher, subscriber });
  const listeners = new Set<ResubscribeListener>();

  // ioredis subscribes again by itself on reconnect, before 'ready'; a PING queued after those
  // SUBSCRIBEs answers once Redis has confirmed them, so a snapshot read then misses nothing.
  let connectedBefore = subscriber.status === 'ready';
  subscriber.on('ready', () => {
    if (!connectedBefore) {
      connectedBefore = true;
      return;
    }
    subscriber.ping().then(
      () => listeners.forEach((listener) => listener.resubscribed()),
      () => undefined, // dropped again; the next 'ready' retries
    );
  });

  return {
    publish(channel, payload) {
      void pubsub.publish(channel, payload);
    },
    subscribe<T>(channel: string, parse = (message: unknown) => message as T) {
      return new RedisChannelSubscription(pubsub, channel, parse);
    },
    onResubscribed(listener) {
      listeners.add(listener);
    },
    offResubscribed(listener) {
      listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await pubsub.close().catch(() => undefined);
    },
  };
}
