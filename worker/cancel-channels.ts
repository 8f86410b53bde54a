import type { Cluster } from 'ioredis';
import type { RedisClient } from '../core/redis.js';

/**
 * The cancel channels, one per partition: classic channels on one Redis, sharded ones (each in its
 * partition's slot, so SSUBSCRIBE one by one) on a cluster.
 */
export function cancelSubscription(
  subscriber: RedisClient,
  channels: readonly string[],
  onMessage: (channel: string, message: string) => void,
) {
  const cluster = subscriber.isCluster ? (subscriber as Cluster) : null;
  const event = cluster ? 'smessage' : 'message';
  return {
    async subscribe() {
      subscriber.on(event, onMessage);
      if (cluster) await Promise.all(channels.map((channel) => cluster.ssubscribe(channel)));
      else await subscriber.subscribe(...channels);
    },
    async unsubscribe() {
      subscriber.off(event, onMessage);
      if (cluster) await Promise.all(channels.map((channel) => cluster.sunsubscribe(channel)));
      else await subscriber.unsubscribe(...channels);
    },
  };
}
