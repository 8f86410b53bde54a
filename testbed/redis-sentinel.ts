import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ask, baseNodeArgs, fieldsOf, logFile, nodeProcess, role, tempDir, type NodeProcess } from './redis-nodes.js';
import { freePorts } from './ports.js';
import { waitFor } from './wait.js';

/** A master, its replica and three sentinels watching them, of the test's own, on loopback. */
export interface RedisSentinel {
  /** `127.0.0.1:port` of each sentinel. */
  sentinels: string[];
  /** The name the sentinels know the master by. */
  name: string;
  /** The master's port, as a sentinel names it. */
  masterPort(): Promise<number>;
  /** SENTINEL FAILOVER, then waitForFailover. Answers the new master's port. */
  failover(): Promise<number>;
  /**
   * Waits until every sentinel names another node than the one on `port` master, and that node
   * answers as a master. Answers its port.
   */
  waitForFailover(port: number, timeoutMs?: number): Promise<number>;
  /** SIGKILLs the current master; answers its port. */
  killMaster(): Promise<number>;
  /** Kills every process and deletes their files. */
  stop(): Promise<void>;
}

const NAME = 'tasks';

/** A sentinel's configuration; the sentinel rewrites its file as it learns, so each has its own. */
function sentinelConfig(port: number, masterPort: number, dir: string): string {
  return [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `logfile ${logFile(dir, port)}`,
    'sentinel resolve-hostnames no',
    `sentinel monitor ${NAME} 127.0.0.1 ${masterPort} 2`,
    // A master is down 1 s after it stops answering; a failover that stalls is tried again after 5 s.
    `sentinel down-after-milliseconds ${NAME} 1000`,
    `sentinel failover-timeout ${NAME} 5000`,
    '',
  ].join('\n');
}

/** Every sentinel knows the replica and the other sentinels. */
async function sentinelsAgree(sentinels: number[]): Promise<boolean> {
  for (const port of sentinels) {
    const replicas = (await ask(port, 'SENTINEL', 'REPLICAS', NAME)) as unknown[];
    const peers = (await ask(port, 'SENTINEL', 'SENTINELS', NAME)) as unknown[];
    if (replicas.length !== 1 || peers.length !== sentinels.length - 1) return false;
  }
  return true;
}

async function namedMaster(sentinel: number): Promise<number> {
  const [, port] = (await ask(sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME)) as [string, string];
  return Number(port);
}

export async function startRedisSentinel(): Promise<RedisSentinel> {
  const [masterPort, replicaPort, ...sentinelPorts] = await freePorts(5);
  const dir = tempDir('redis-sentinel');
  const data = new Map<number, NodeProcess>([
    [masterPort!, nodeProcess(masterPort!, dir.path, baseNodeArgs(masterPort!, dir.path))],
    [
      replicaPort!,
      nodeProcess(replicaPort!, dir.path, [
        ...baseNodeArgs(replicaPort!, dir.path),
        '--replicaof',
        '127.0.0.1',
        String(masterPort),
      ]),
    ],
  ]);
  const sentinels = sentinelPorts.map((port) => {
    const file = join(dir.path, `sentinel-${port}.conf`);
    writeFileSync(file, sentinelConfig(port, masterPort!, dir.path));
    return nodeProcess(port, dir.path, [file, '--sentinel']);
  });

  const setup: RedisSentinel = {
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`),
    name: NAME,

    async masterPort() {
      const running = sentinels.find((sentinel) => sentinel.running());
      if (!running) throw new Error('no sentinel is running');
      return namedMaster(running.port);
    },

    async failover() {
      const before = await setup.masterPort();
      await ask(sentinelPorts[0]!, 'SENTINEL', 'FAILOVER', NAME);
      return setup.waitForFailover(before);
    },

    waitForFailover(port, timeoutMs = 15_000) {
      return waitFor(
        async () => {
          const named = new Set(await Promise.all(sentinelPorts.map(namedMaster)));
          const [successor] = named;
          if (named.size !== 1 || successor === port) return false;
          return (await role(successor!)).role === 'master' && successor;
        },
        { what: `the sentinels to name another master than the one on port ${port}`, timeoutMs, everyMs: 100 },
      );
    },

    async killMaster() {
      const port = await setup.masterPort();
      await data.get(port)!.stop();
      return port;
    },

    async stop() {
      await Promise.all([...sentinels, ...data.values()].map((node) => node.stop()));
      dir.remove();
    },
  };

  try {
    await Promise.all([...data.values()].map((node) => node.start()));
    await waitFor(
      async () => (await fieldsOf(masterPort!, 'INFO', 'replication')).get('slave0')?.includes('state=online'),
      {
        what: 'the replica to sync',
      },
    );
    await Promise.all(sentinels.map((sentinel) => sentinel.start()));
    // Sentinels find each other through the master's hello channel, every 2 s.
    await waitFor(() => sentinelsAgree(sentinelPorts), { what: 'the sentinels to know each other', everyMs: 100 });
  } catch (error) {
    await setup.stop();
    throw error;
  }
  return setup;
}
