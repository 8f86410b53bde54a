import { join } from 'node:path';
import { ask, baseNodeArgs, fieldsOf, nodeProcess, role, tempDir, type NodeProcess } from './redis-nodes.js';
import { freePorts } from './ports.js';
import { runProcess } from './processes.js';
import { waitFor } from './wait.js';

const SLOTS = 16_384;

export interface ClusterMaster {
  port: number;
  /** Slot ranges it owns, both ends included. */
  slots: [number, number][];
  replicas: number[];
}

/** A Redis Cluster of the test's own, on loopback, whose nodes it may kill and start again. */
export interface RedisCluster {
  /** `127.0.0.1:port` of every node, masters and replicas: the seeds to give a client. */
  nodes: string[];
  /** The masters as a running node sees them, by first slot. */
  masters(): Promise<ClusterMaster[]>;
  /**
   * SIGKILLs a master: `which` is its port, or below the number of masters an index into masters().
   * Answers its port.
   */
  killMaster(which: number): Promise<number>;
  /**
   * Waits until every running node agrees that another node owns the slots of the master killed on
   * `port`, that node answers as a master, and every running node says cluster_state:ok. Answers its port.
   */
  waitForFailover(port: number, timeoutMs?: number): Promise<number>;
  /** Starts a stopped node again on its own port and node file, until the others count it in again. */
  restartNode(port: number): Promise<void>;
  /** Kills every node and deletes their files. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
}

function clusterArgs(port: number, busPort: number, dir: string): string[] {
  return [
    ...baseNodeArgs(port, dir),
    ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)],
    // Free ports for the bus too: the default port + 10000 may be taken, or past 65535.
    ...['--cluster-port', String(busPort)],
    // A master is failed 1 s after it stops answering, and its replica takes over 0.5 to 1 s later.
    ...['--cluster-node-timeout', '1000'],
    // A replica may take over however long it was cut off from its master (the default refuses after
    // ten node timeouts), and replicas stay with their masters: failovers happen every time, as planned.
    ...['--cluster-replica-validity-factor', '0', '--cluster-allow-replica-migration', 'no'],
    // CLUSTER SLOTS lists a replica once its replication offset is past 0: with no writes, that is
    // the master's first replication ping, 10 s after the start by default.
    ...['--repl-ping-replica-period', '1'],
  ];
}

/** CLUSTER SLOTS of the node at `port`, grouped by master. */
async function slotOwners(port: number): Promise<ClusterMaster[]> {
  type Node = [host: string, port: number, id: string];
  const ranges = (await ask(port, 'CLUSTER', 'SLOTS')) as [
    start: number,
    end: number,
    master: Node,
    ...replicas: Node[],
  ][];
  const masters = new Map<number, ClusterMaster>();
  for (const [start, end, [, masterPort], ...replicas] of ranges) {
    const master: ClusterMaster = masters.get(masterPort) ?? {
      port: masterPort,
      slots: [],
      replicas: replicas.map(([, replicaPort]) => replicaPort),
    };
    master.slots.push([start, end]);
    masters.set(masterPort, master);
  }
  for (const master of masters.values()) master.slots.sort((a, b) => a[0] - b[0]);
  return [...masters.values()].sort((a, b) => a.slots[0]![0] - b.slots[0]![0]);
}

const slotCount = (masters: ClusterMaster[]) =>
  masters.reduce((sum, { slots }) => sum + slots.reduce((n, [start, end]) => n + end - start + 1, 0), 0);

/** Whether the master at `port` has `replicas` replicas whose replication link is up. */
async function replicasOnline(port: number, replicas: number): Promise<boolean> {
  const fields = await fieldsOf(port, 'INFO', 'replication');
  const online = [...fields].filter(([key, value]) => /^slave\d+$/.test(key) && value.includes('state=online'));
  return fields.get('role') === 'master' && online.length === replicas;
}

const clusterOk = async (port: number) => (await fieldsOf(port, 'CLUSTER', 'INFO')).get('cluster_state') === 'ok';

export async function startRedisCluster({
  masters = 3,
  replicasPerMaster = 1,
}: ClusterOptions = {}): Promise<RedisCluster> {
  const count = masters * (1 + replicasPerMaster);
  const ports = await freePorts(count * 2); // a client port and a bus port for each node
  const dir = tempDir('redis-cluster');
  const nodes = new Map<number, NodeProcess>();
  for (let i = 0; i < count; i++) {
    const [port, busPort] = [ports[i]!, ports[count + i]!];
    nodes.set(port, nodeProcess(port, dir.path, clusterArgs(port, busPort, dir.path)));
  }
  const running = () => [...nodes.values()].filter((node) => node.running()).map((node) => node.port);
  const killedSlots = new Map<number, [number, number][]>();

  /** Every running node says ok and sees all slots served by `masters` masters with all their replicas. */
  const formed = async () => {
    for (const port of running()) {
      if (!(await clusterOk(port))) return false;
      const owners = await slotOwners(port);
      if (owners.length !== masters || slotCount(owners) !== SLOTS) return false;
      if (owners.some((owner) => owner.replicas.length !== replicasPerMaster)) return false;
    }
    const owners = await slotOwners(running()[0]!);
    for (const { port } of owners) if (!(await replicasOnline(port, replicasPerMaster))) return false;
    return true;
  };

  const cluster: RedisCluster = {
    nodes: [...nodes.keys()].map((port) => `127.0.0.1:${port}`),

    masters: () => slotOwners(running()[0]!),

    async killMaster(which) {
      const owners = await cluster.masters();
      const target = which < owners.length ? owners[which] : owners.find(({ port }) => port === which);
      if (!target) throw new Error(`no master ${which} among ${owners.map(({ port }) => port).join(', ')}`);
      killedSlots.set(target.port, target.slots);
      await nodes.get(target.port)!.stop();
      return target.port;
    },

    async waitForFailover(port, timeoutMs = 15_000) {
      const slots = killedSlots.get(port);
      if (!slots) throw new Error(`no master was killed on port ${port}`);
      return waitFor(
        async () => {
          let successor: number | undefined;
          for (const node of running()) {
            if (!(await clusterOk(node))) return false;
            const owner = (await slotOwners(node)).find((master) => master.slots.some(([s]) => s === slots[0]![0]));
            if (!owner || owner.port === port || (successor !== undefined && owner.port !== successor)) return false;
            successor = owner.port;
          }
          return successor !== undefined && (await role(successor)).role === 'master' && successor;
        },
        { what: `a replica to take over the slots of the master on port ${port}`, timeoutMs, everyMs: 100 },
      );
    },

    async restartNode(port) {
      const node = nodes.get(port);
      if (!node) throw new Error(`no node on port ${port}`);
      await node.start();
      await waitFor(
        async () => {
          if (!(await clusterOk(port))) return false;
          // A replica with its link up, or a master that still owns slots (one that was failed over
          // comes back as a master for a moment, then turns into a replica of its successor).
          const { role: now, linked } = await role(port);
          const others = running().filter((other) => other !== port);
          if (now === 'slave' ? !linked : !(await slotOwners(others[0]!)).some((owner) => owner.port === port))
            return false;
          // No running node flags it failed any more.
          for (const other of others) {
            const line = String(await ask(other, 'CLUSTER', 'NODES'))
              .split('\n')
              .find((entry) => entry.includes(` 127.0.0.1:${port}@`));
            const flags = line?.split(' ')[2]?.split(',') ?? ['unknown'];
            if (flags.some((flag) => ['fail', 'fail?', 'handshake', 'noaddr', 'unknown'].includes(flag))) return false;
          }
          return true;
        },
        { what: `the node on port ${port} to rejoin the cluster`, timeoutMs: 15_000, everyMs: 100 },
      );
    },

    async stop() {
      await Promise.all([...nodes.values()].map((node) => node.stop()));
      dir.remove();
    },
  };

  try {
    await Promise.all([...nodes.values()].map((node) => node.start()));
    const addresses = [...nodes.keys()].map((port) => `127.0.0.1:${port}`);
    const created = await runProcess(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'],
      { timeoutMs: 30_000 },
    );
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.output.slice(-2_000)}`);
    await waitFor(formed, { what: 'the cluster to form', timeoutMs: 20_000, everyMs: 100 });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
