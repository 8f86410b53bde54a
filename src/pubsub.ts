import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import type { PubSub } from 'type-graphql';

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
  /** Called after the subscriber connection came back and Redis confirmed its subscriptions again. */
  onResubscribed(listener: () => void): () => void;
  close(): Promise<void>;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

const DONE = { done: true, value: undefined } as const;

function createChannelSubscription<T>(
  pubsub: RedisPubSub,
  channel: string,
  parse: (message: unknown) => T,
): ChannelSubscription<T> {
  let buffer: T[] = [];
  let waiters: Waiter<T>[] = [];
  let failure: unknown = null;
  let done = false;

  const push = (value: T) => {
    if (done) return;
    const waiter = waiters.shift();
    if (waiter) waiter.resolve({ done: false, value });
    else buffer.push(value);
  };
  const subscriptionId = pubsub.subscribe(channel, (message: unknown) => push(parse(message)));
  subscriptionId.catch((error: unknown) => {
    failure = error;
    for (const waiter of waiters) waiter.reject(error);
    waiters = [];
  });

  const iterator: ChannelSubscription<T> = {
    ready: subscriptionId.then(() => undefined),
    push,
    next() {
      if (buffer.length > 0) return Promise.resolve({ done: false, value: buffer.shift()! });
      if (done) return Promise.resolve(DONE);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    async return() {
      if (done) return DONE;
      done = true;
      buffer = [];
      for (const waiter of waiters) waiter.resolve(DONE);
      waiters = [];
      const id = await subscriptionId.catch(() => null);
      if (id !== null) pubsub.unsubscribe(id);
      return DONE;
    },
    async throw(error: unknown) {
      await iterator.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  iterator.ready.catch(() => undefined); // the failure reaches next(); this only silences Node's warning
  return iterator;
}

export function createPubSub({ publisher, subscriber }: { publisher: Redis; subscriber: Redis }): TaskPubSub {
  const pubsub = new RedisPubSub({ publisher, subscriber });
  const listeners = new Set<() => void>();

  // ioredis subscribes again by itself on reconnect, before 'ready'; a PING queued after those
  // SUBSCRIBEs answers once Redis has confirmed them, so a snapshot read then misses nothing.
  let connectedBefore = subscriber.status === 'ready';
  subscriber.on('ready', () => {
    if (!connectedBefore) {
      connectedBefore = true;
      return;
    }
    subscriber.ping().then(
      () => listeners.forEach((listener) => listener()),
      () => undefined, // dropped again; the next 'ready' retries
    );
  });

  return {
    publish(channel, payload) {
      void pubsub.publish(channel, payload);
    },
    subscribe<T>(channel: string, parse = (message: unknown) => message as T) {
      return createChannelSubscription(pubsub, channel, parse);
    },
    onResubscribed(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await pubsub.close().catch(() => undefined);
    },
  };
}
