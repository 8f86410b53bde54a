import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';

/** An object rather than a function: thousands are registered at once, one per watched task. */
export interface ResubscribeListener {
  resubscribed(): void;
}

/** An iterator over one channel's messages that is subscribed from the moment it is made. */
export interface ChannelSubscription<T> extends AsyncIterableIterator<T> {
  /** Resolves once Redis has confirmed the SUBSCRIBE: nothing published after that is missed. */
  readonly ready: Promise<void>;
  /** Queues a value as if it had come from the channel (a snapshot read after a reconnect). */
  push(value: T): void;
  /** Ends the iterator and unsubscribes from Redis; safe to call more than once. */
  return(): Promise<IteratorResult<T>>;
}

/**
 * A typed adapter over graphql-redis-subscriptions' RedisPubSub, the bridge from Redis to the
 * subscriptions. Unlike RedisPubSub's own iterator, which subscribes on its first next() and so
 * misses what is published before, these subscribe when they are made and say when Redis has
 * confirmed it. Ending an iterator unsubscribes from Redis. (Changes are published by the task
 * scripts in Redis itself, never through here.)
 */
export interface TaskPubSub {
  subscribe<T = unknown>(channel: string, parse?: (message: unknown) => T): ChannelSubscription<T>;
  /**
   * `listener.resubscribed()` is called after the subscriber connection came back and Redis
   * confirmed its subscriptions again, until `offResubscribed(listener)`.
   */
  onResubscribed(listener: ResubscribeListener): void;
  offResubscribed(listener: ResubscribeListener): void;
  close(): Promise<void>;
}

const DONE = { done: true, value: undefined } as const;

/**
 * A class rather than closures: thousands of these live at once (one per subscription), and
 * methods on the prototype cost nothing per instance. For the same reason it keeps no more than
 * it must while it waits: the pending next() in two fields rather than in a list, and the
 * subscription's number rather than the promise that gave it.
 */
class RedisChannelSubscription<T> implements ChannelSubscription<T> {
  private buffer: T[] | null = null;
  /** The pending next(): a consumer waits for one value at a time. */
  private waiting: Promise<IteratorResult<T>> | null = null;
  private resolveWaiting: ((result: IteratorResult<T>) => void) | null = null;
  private rejectWaiting: ((error: unknown) => void) | null = null;
  private failure: unknown = null;
  private done = false;
  /** RedisPubSub's number for this subscription, once Redis has confirmed it. */
  private subscription: Promise<number> | number;

  constructor(
    private readonly pubsub: RedisPubSub,
    channel: string,
    parse: (message: unknown) => T,
  ) {
    this.subscription = pubsub
      .subscribe(channel, (message: unknown) => this.push(parse(message)))
      .then(
        (id) => (this.subscription = id),
        (error: unknown) => {
          this.failure = error;
          this.settle(null, error);
          throw error;
        },
      );
    this.subscription.catch(() => undefined); // the failure reaches ready and next(); this only silences Node's warning
  }

  get ready(): Promise<void> {
    if (typeof this.subscription === 'number') return Promise.resolve();
    return this.subscription.then(() => undefined);
  }

  push(value: T): void {
    if (this.done) return;
    if (this.waiting) this.settle({ done: false, value });
    else (this.buffer ??= []).push(value);
  }

  next(): Promise<IteratorResult<T>> {
    // A second caller while one waits takes the value after the first one's.
    if (this.waiting) return this.waiting.then(() => this.next());
    if (this.buffer?.length) return Promise.resolve({ done: false, value: this.buffer.shift()! });
    if (this.done) return Promise.resolve(DONE);
    if (this.failure) return Promise.reject(this.failure);
    this.waiting = new Promise((resolve, reject) => {
      this.resolveWaiting = resolve;
      this.rejectWaiting = reject;
    });
    return this.waiting;
  }

  async return(): Promise<IteratorResult<T>> {
    if (this.done) return DONE;
    this.done = true;
    this.buffer = null;
    this.settle(DONE);
    const id = typeof this.subscription === 'number' ? this.subscription : await this.subscription.catch(() => null);
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

  /** Resolves (or, with an error, rejects) the pending next(), if there is one. */
  private settle(result: IteratorResult<T> | null, error?: unknown): void {
    const resolve = this.resolveWaiting;
    const reject = this.rejectWaiting;
    this.waiting = this.resolveWaiting = this.rejectWaiting = null;
    if (result) resolve?.(result);
    else reject?.(error);
  }
}

/**
 * The pub/sub of one subscriber connection, which it borrows: the caller that made the connections
 * closes them (RedisPubSub's own close() would quit both, the lent command connection too).
 * RedisPubSub insists on a publisher; nothing is published through it.
 */
export function createPubSub({ publisher, subscriber }: { publisher: Redis; subscriber: Redis }): TaskPubSub {
  const pubsub = new RedisPubSub({ publisher, subscriber });
  const listeners = new Set<ResubscribeListener>();

  // ioredis subscribes again by itself on reconnect, before 'ready'; a PING queued after those
  // SUBSCRIBEs answers once Redis has confirmed them, so a snapshot read then misses nothing.
  let connectedBefore = subscriber.status === 'ready';
  const onReady = () => {
    if (!connectedBefore) {
      connectedBefore = true;
      return;
    }
    subscriber.ping().then(
      () => listeners.forEach((listener) => listener.resubscribed()),
      () => undefined, // dropped again; the next 'ready' retries
    );
  };
  subscriber.on('ready', onReady);

  return {
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
      subscriber.off('ready', onReady);
    },
  };
}
