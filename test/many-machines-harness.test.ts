import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startHaproxy } from './support/haproxy.js';
import { startRedisCluster } from '../testbed/redis-cluster.js';
import { ask, role } from '../testbed/redis-nodes.js';
import { startRedisSentinel } from '../testbed/redis-sentinel.js';

/** The deployments the many-machine tests run on: each forms, fails over and routes as planned. */
describe('many-machine test support', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('should form a cluster of three masters with a replica each, and fail a killed master over to its replica with its data', async () => {
    const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    cleanups.push(() => cluster.stop());
    expect(cluster.nodes).toHaveLength(6);
    const masters = await cluster.masters();
    expect(masters).toHaveLength(3);
    expect(masters.every(({ replicas }) => replicas.length === 1)).toBe(true);
    expect(masters.flatMap(({ slots }) => slots).reduce((sum, [start, end]) => sum + end - start + 1, 0)).toBe(16_384);

    // A key on one master, copied to its replica before the master dies.
    const slot = Number(await ask(masters[0]!.port, 'CLUSTER', 'KEYSLOT', 'kept'));
    const owner = masters.find(({ slots }) => slots.some(([start, end]) => start <= slot && slot <= end))!;
    const writer = new Redis({ host: '127.0.0.1', port: owner.port });
    try {
      await writer.set('kept', 'yes');
      expect(await writer.call('WAIT', 1, 2_000)).toBe(1);
    } finally {
      writer.disconnect();
    }

    const killedAt = Date.now();
    expect(await cluster.killMaster(owner.port)).toBe(owner.port);
    const successor = await cluster.waitForFailover(owner.port, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(successor).toBe(owner.replicas[0]);
    expect(await ask(successor, 'GET', 'kept')).toBe('yes');
    const after = await cluster.masters();
    expect(after.map(({ port }) => port).sort()).toEqual(
      masters.map(({ port }) => (port === owner.port ? successor : port)).sort(),
    );

    // The old master comes back as its successor's replica; the cluster stays whole.
    await cluster.restartNode(owner.port);
    expect(await role(owner.port)).toMatchObject({ role: 'slave', masterPort: successor, linked: true });
    expect((await cluster.masters()).find(({ port }) => port === successor)!.replicas).toEqual([owner.port]);
  });

  it('should move the master to the replica on SENTINEL FAILOVER, and again when the master is killed', async () => {
    const sentinel = await startRedisSentinel();
    cleanups.push(() => sentinel.stop());
    expect(sentinel.sentinels).toHaveLength(3);
    const first = await sentinel.masterPort();
    expect(await role(first)).toMatchObject({ role: 'master' });

    const second = await sentinel.failover();
    expect(second).not.toBe(first);
    expect(await role(second)).toMatchObject({ role: 'master' });

    // The sentinels keep the old master as a replica (they turn it into one 8 to 10 s later), so it is
    // the one to take over when the new master dies.
    expect(await sentinel.killMaster()).toBe(second);
    expect(await sentinel.waitForFailover(second, 10_000)).toBe(first);
  });

  it('should spread requests over the backends whose /readyz answers, and leave out one whose /readyz fails', async () => {
    const ready = { a: true, b: true };
    const servers: Server[] = [];
    const backends: string[] = [];
    for (const name of ['a', 'b'] as const) {
      const server = createServer((request, response) => {
        if (request.url === '/readyz') response.writeHead(ready[name] ? 200 : 503).end();
        else response.end(name);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      backends.push(`127.0.0.1:${(server.address() as { port: number }).port}`);
    }
    cleanups.push(async () => {
      for (const server of servers) await new Promise((resolve) => server.close(resolve).closeAllConnections());
    });
    const proxy = await startHaproxy({ backends });
    cleanups.push(() => proxy.stop());
    for (const backend of backends) await proxy.waitForStatus(backend, 'UP');

    const answers = async () => {
      const names: string[] = [];
      for (let i = 0; i < 4; i++) names.push(await (await fetch(`${proxy.url}/`)).text());
      return names.sort();
    };
    expect(await answers()).toEqual(['a', 'a', 'b', 'b']);

    ready.b = false;
    await proxy.waitForStatus(backends[1]!, 'DOWN');
    expect(await answers()).toEqual(['a', 'a', 'a', 'a']);
    expect((await proxy.servers()).map(({ status }) => status)).toEqual(['UP', 'DOWN']);
  });
});
