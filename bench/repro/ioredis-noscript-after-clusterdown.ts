/**
 * A reproduction, for ioredis' maintainers, of NOSCRIPT reaching the caller of a script defined
 * with defineCommand on a Cluster, after the cluster was down (CLUSTERDOWN) while the call was
 * sent: what a failover does to every call in flight, on every master, for a second or two.
 *
 * Three things in ioredis 5 meet (lib/Script.ts, lib/Pipeline.ts):
 * 1. A Script marks a socket as having the script when it writes EVAL to it, before Redis answers.
 *    An EVAL that Redis refuses without running it (CLUSTERDOWN, TRYAGAIN, MOVED, ASK, LOADING ...)
 *    leaves the mark, though the node never loaded the script.
 * 2. When the Cluster sends the same command again after such an answer, the mark turns it into
 *    EVALSHA: once the cluster is back, that node answers NOSCRIPT.
 * 3. A single command falls back to EVAL on NOSCRIPT (Script#execute). A command of a pipeline
 *    (enableAutoPipelining puts every command in one) that the cluster sends again gets a new
 *    promise (Command#initPromise), which drops that fallback: NOSCRIPT is the caller's answer.
 *
 * Run: npx tsx bench/repro/ioredis-noscript-after-clusterdown.ts. It starts a cluster of 3 masters
 * without replicas on free loopback ports, stops one master (after cluster-node-timeout every node
 * answers CLUSTERDOWN), sends calls of scripts never run before to the two others, starts the master
 * again (the cluster is up again within the client's retries) and counts the answers, for three
 * clients: auto-pipelined, plain, and, as the baseline, the same calls as plain commands (INCR).
 * Expected: every call answers its value. Seen: the auto-pipelined script calls answer NOSCRIPT.
 */
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { startRedisCluster } from '../../testbed/redis-cluster.js';
import { waitFor } from '../../testbed/wait.js';

const CALLS = 20;

const cluster = await startRedisCluster({ replicasPerMaster: 0 });
const say = (line: string) => process.stdout.write(`${line}\n`);

function client(enableAutoPipelining: boolean): Cluster {
  const redis: Cluster = new Cluster(
    cluster.nodes.map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })),
    // Retries long enough to see the cluster come back: 16 redirections, 500 ms apart.
    { enableAutoPipelining, retryDelayOnClusterDown: 500, redisOptions: { maxRetriesPerRequest: null } },
  );
  redis.on('error', () => undefined);
  // A script of its own for each call: none has been run on any node before.
  for (let i = 0; i < CALLS; i++) {
    redis.defineCommand(`bump${i}`, { numberOfKeys: 1, lua: `return redis.call('INCR', KEYS[1]) + ${i} - ${i}` });
  }
  return redis;
}

type Call = (redis: Cluster, i: number, key: string) => Promise<unknown>;
const script: Call = (redis, i, key) =>
  (redis as unknown as Record<string, (key: string) => Promise<unknown>>)[`bump${i}`]!(key);
const plainCommand: Call = (redis, _i, key) => redis.incr(key);

try {
  const masters = await cluster.masters();
  const [stopped, ...others] = masters;
  // Keys on the masters that stay up.
  const keys: string[] = [];
  for (let i = 0; keys.length < CALLS; i++) {
    const slot = calculateSlot(`key-${i}`);
    if (others.some(({ slots }) => slots.some(([from, to]) => slot >= from && slot <= to))) keys.push(`key-${i}`);
  }
  const cases: [string, Cluster, Call][] = [
    ['script, auto-pipelined', client(true), script],
    ['script, plain', client(false), script],
    ['INCR, auto-pipelined (baseline)', client(true), plainCommand],
  ];
  const checker = client(false);
  await Promise.all([checker, ...cases.map(([, redis]) => redis)].map((redis) => redis.ping()));

  await cluster.killMaster(stopped!.port);
  // Every node says the cluster is down once it has failed the stopped master.
  await waitFor(
    async () => {
      try {
        await checker.set(keys[0]!, '0');
        return false;
      } catch (error) {
        return (error as Error).message.includes('CLUSTERDOWN');
      }
    },
    { what: 'the cluster to be down', timeoutMs: 20_000, everyMs: 200 },
  );
  const answers = cases.map(([, redis, call]) =>
    Promise.all(
      keys.map((key, i) =>
        call(redis, i, key).then(
          () => 'a value',
          (error: Error) => error.message.split(' ')[0]!,
        ),
      ),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // every call sent and refused at least once
  await cluster.restartNode(stopped!.port);

  say(`${CALLS} calls each, sent while the cluster was down; it came back within the client's retries`);
  for (const [index, [label]] of cases.entries()) {
    const counts = new Map<string, number>();
    for (const answer of await answers[index]!) counts.set(answer, (counts.get(answer) ?? 0) + 1);
    say(`${label.padEnd(34)} ${[...counts].map(([answer, n]) => `${n} × ${answer}`).join(', ')}`);
  }
  for (const redis of [checker, ...cases.map(([, caseClient]) => caseClient)]) redis.disconnect();
} finally {
  await cluster.stop();
}
