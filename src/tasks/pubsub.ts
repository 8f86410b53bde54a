import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../../core/redis.js';

/** An object rather than a function: thousands are registered at once, one per watched task. */
export interface ResubscribeListener {
  resubscribed(): void;
}

/** An iterator over one channel's messages (or several's) that is subscribed from the moment it is made. */
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
  /** Several channels (one per partition) make one iterator of all their messages. */
  subscribe<T = unknown>(channel: string | readonly string[], parse?: (message: unknown) => T): ChannelSubscription<T>;
  /**
   * `listener.resubscribed()` is called after the subscriber connection came back and Redis
   * confirmed its subscriptions again, until `offResubscribed(listener)`.
   */
  onResubscribed(listener: ResubscribeListener): void;
  offResubscribed(listener: ResubscribeListener): void;
  close(): Promise<void>;
}

const DONE = { done: true, value: undefined } as const;

type SubscriptionIds = number | readonly number[];

/** Subscribes to every channel, or to none: the ones confirmed are let go again if another fails. */
async function subscribeAll(
  pubsub: RedisPubSub,
  channels: readonly string[],
  onMessage: (message: unknown) => void,
): Promise<readonly number[]> {
  const settled = await Promise.allSettled(channels.map((channel) => pubsub.subscribe(channel, onMessage)));
  const failed = settled.find((result) => result.status === 'rejected');
  if (!failed) return settled.map((result) => (result as PromiseFulfilledResult<number>).value);
  for (const result of settled) if (result.status === 'fulfilled') pubsub.unsubscribe(result.value);
  throw failed.reason;
}

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
  /** RedisPubSub's number for this subscription (one per channel), once Redis has confirmed it. */
  private subscription: Promise<SubscriptionIds> | SubscriptionIds;

  constructor(
    private readonly pubsub: RedisPubSub,
    channel: string | readonly string[],
    parse: (message: unknown) => T,
  ) {
    const onMessage = (message: unknown) => this.push(parse(message));
    this.subscription = (
      typeof channel === 'string' ? pubsub.subscribe(channel, onMessage) : subscribeAll(pubsub, channel, onMessage)
    ).then(
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
    if (!(this.subscription instanceof Promise)) return Promise.resolve();
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
    const ids = this.subscription instanceof Promise ? await this.subscription.catch(() => null) : this.subscription;
    if (typeof ids === 'number') this.pubsub.unsubscribe(ids);
    else ids?.forEach((id) => this.pubsub.unsubscribe(id));
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
 * RedisPubSub takes any subscriber with ioredis' subscribe/unsubscribe and 'message' shape: this one
 * maps those to a cluster's sharded commands (SSUBSCRIBE, SUNSUBSCRIBE, 'smessage'), which reach
 * only the master of the channel's slot instead of every node.
 */
function shardedSubscriber(cluster: Cluster): Redis {
  const adapter = {
    subscribe(channel: string, callback: (error: Error | null) => void) {
      cluster.ssubscribe(channel).then(() => callback(null), callback);
    },
    psubscribe() {
      throw new Error('sharded channels have no patterns');
    },
    unsubscribe(channel: string) {
      cluster.sunsubscribe(channel).catch(() => undefined); // the node is gone, and its subscriptions with it
    },
    punsubscribe() {}, // RedisPubSub lets go of a pattern too, which a sharded channel never is
    on(event: string, listener: (...args: unknown[]) => void) {
      if (event === 'message') cluster.on('smessage', listener);
      else if (event !== 'pmessage') cluster.on(event, listener);
      return adapter;
    },
  };
  return adapter as unknown as Redis;
}

export interface PubSubOptions {
  /** The command connection, which RedisPubSub insists on; nothing is published through it. */
  publisher: RedisClient;
  /** On a cluster, a Cluster with sharded subscribers (core/redis.ts `sharded`). */
  subscriber: RedisClient;
  /**
   * One channel in each partition's slot that nothing else uses: on a cluster, subscribing to it
   * after the subscribers came back tells when their own subscriptions are confirmed again.
   */
  probeChannels: readonly string[];
}

/**
 * The pub/sub of one subscriber connection, which it borrows: the caller that made the connections
 * closes them (RedisPubSub's own close() would quit both, the lent command connection too).
 */
export function createPubSub({ publisher, subscriber, probeChannels }: PubSubOptions): TaskPubSub {
  const cluster = subscriber.isCluster ? (subscriber as Cluster) : null;
  const pubsub = new RedisPubSub({
    publisher: publisher as Redis,
    subscriber: cluster ? shardedSubscriber(cluster) : (subscriber as Redis),
  });
  const listeners = new Set<ResubscribeListener>();
  const notify = () => listeners.forEach((listener) => listener.resubscribed());

  // One Redis: ioredis subscribes again by itself on reconnect, before 'ready'; a PING queued after
  // those SUBSCRIBEs answers once Redis has confirmed them, so a snapshot read then misses nothing.
  let connectedBefore = subscriber.status === 'ready';
  const onReady = () => {
    if (!connectedBefore) {
      connectedBefore = true;
      return;
    }
    subscriber.ping().then(notify, () => undefined); // dropped again; the next 'ready' retries
  };
  // A cluster: after a node was lost or a slot moved (a failover), ioredis starts subscribers on the
  // masters that now hold the slots and sends their SSUBSCRIBEs again, then says 'subscribersReady'.
  // A probe subscribed in each partition's slot goes after those on the same connection: once all
  // are confirmed, so are the subscriptions.
  const onSubscribersReady = () => {
    if (!cluster) return;
    Promise.all(
      probeChannels.map(async (channel) => {
        await cluster.ssubscribe(channel);
        await cluster.sunsubscribe(channel);
      }),
    ).then(notify, () => undefined); // a subscriber failed again; its next 'subscribersReady' retries
  };
  if (cluster) cluster.on('subscribersReady', onSubscribersReady);
  else subscriber.on('ready', onReady);

  return {
    subscribe<T>(channel: string | readonly string[], parse = (message: unknown) => message as T) {
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
      subscriber.off('subscribersReady', onSubscribersReady);
    },
  };
}
