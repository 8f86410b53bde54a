/**
 * A measurement, for ioredis' maintainers, of what SSUBSCRIBE costs a Cluster with sharded
 * subscribers as the channels of one slot grow: ClusterSubscriberGroup keeps each slot's channels
 * in one array, copied on every addChannels (concat) and filtered on every removeChannels, so n
 * subscriptions in one slot cost O(n²). Channels of one slot are what hash tags are for: every
 * task channel of one partition of this service is in its partition's slot.
 *
 * Run: npx tsx bench/repro/ioredis-sharded-channels.ts. It starts a 3-master cluster on free
 * loopback ports, subscribes and unsubscribes n channels of one slot for growing n, one command
 * each as a pub/sub bridge does, and prints the time per channel; constant time per channel means
 * linear cost, time per channel growing with n means quadratic. Beside it, the baseline: the same
 * channels with classic SUBSCRIBE on a plain connection to one of the nodes, in the same run.
 */
import { Cluster, Redis } from 'ioredis';
import { startRedisCluster } from '../../testbed/redis-cluster.js';

const cluster = await startRedisCluster({ replicasPerMaster: 0 });
const client = new Cluster(
  cluster.nodes.map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })),
  {
    shardedSubscribers: true,
  },
);
const plain = new Redis(`redis://${cluster.nodes[0]}`);

/** Microseconds per channel to subscribe to every channel, then to let go of each: one command each. */
async function timed(
  subscribe: (channel: string) => Promise<unknown>,
  unsubscribe: (channel: string) => Promise<unknown>,
  channels: string[],
): Promise<[number, number]> {
  let started = performance.now();
  await Promise.all(channels.map(subscribe));
  const on = ((performance.now() - started) * 1000) / channels.length;
  started = performance.now();
  await Promise.all(channels.map(unsubscribe));
  return [on, ((performance.now() - started) * 1000) / channels.length];
}

const cell = (value: number, width: number) => value.toFixed(1).padStart(width);
const say = (line: string) => process.stdout.write(`${line}\n`);
try {
  say('µs per channel. sharded: the Cluster, every channel in one slot; classic: SUBSCRIBE on one connection');
  say('channels   subscribe: sharded  classic  ratio   unsubscribe: sharded  classic  ratio');
  for (const n of [5_000, 10_000, 20_000, 40_000]) {
    const channels = Array.from({ length: n }, (_, i) => `{partition}:events:task:${n}:${i}`);
    const [on, off] = await timed(
      (channel) => client.ssubscribe(channel),
      (channel) => client.sunsubscribe(channel),
      channels,
    );
    const [classicOn, classicOff] = await timed(
      (channel) => plain.subscribe(channel),
      (channel) => plain.unsubscribe(channel),
      channels,
    );
    say(
      `${String(n).padStart(8)}   ${cell(on, 18)}  ${cell(classicOn, 7)}  ${cell(on / classicOn, 4)}×` +
        `   ${cell(off, 20)}  ${cell(classicOff, 7)}  ${cell(off / classicOff, 4)}×`,
    );
  }
} finally {
  client.disconnect();
  plain.disconnect();
  await cluster.stop();
}
