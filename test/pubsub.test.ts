import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPubSub, type TaskPubSub } from '../src/tasks/pubsub.js';
import { REDIS_URL } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

describe('the pub/sub adapter', () => {
  let publisher: Redis;
  let subscriber: Redis;
  let pubsub: TaskPubSub;
  const channel = `{test-${randomUUID()}}:channel`;
  // What the task scripts publish is JSON, which RedisPubSub parses.
  const publish = (message: string) => void publisher.publish(channel, JSON.stringify(message));
  const subscribers = async () => ((await publisher.pubsub('NUMSUB', channel)) as [string, number])[1];

  beforeAll(() => {
    publisher = new Redis(REDIS_URL);
    subscriber = new Redis(REDIS_URL);
    pubsub = createPubSub({ publisher, subscriber, probeChannels: [] });
  });

  afterAll(async () => {
    await pubsub.close();
    publisher.disconnect();
    subscriber.disconnect();
  });

  it('should deliver in order to callers waiting at once, buffer what nobody waits for, and unsubscribe on return()', async () => {
    const messages = pubsub.subscribe<string>(channel, (message: unknown) => String(message));
    await within(messages.ready, 5_000, 'the SUBSCRIBE');
    expect(await subscribers()).toBe(1);

    const first = messages.next();
    const second = messages.next(); // while the first still waits
    publish('a');
    publish('b');
    expect(await within(Promise.all([first, second]), 5_000, 'two values')).toEqual([
      { done: false, value: 'a' },
      { done: false, value: 'b' },
    ]);

    publish('c');
    publish('d');
    expect(await within(messages.next(), 5_000, 'c')).toEqual({ done: false, value: 'c' });
    expect(await within(messages.next(), 5_000, 'd')).toEqual({ done: false, value: 'd' });

    const waiting = messages.next();
    await messages.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await messages.next()).toEqual({ done: true, value: undefined });
    await waitFor(async () => (await subscribers()) === 0, { what: 'the UNSUBSCRIBE' });
  });
});
