import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAnswers } from '../core/redis.js';
import { afterEach, describe, expect, it } from 'vitest';
import { gqlData } from './support/graphql.js';
import { CREATE_CALCULATION, GET_TASK, type TaskData } from './support/operations.js';
import { freePort, runEntryPoint, startEntryPoint, type RunningProcess } from './support/processes.js';
import { projectDir } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

describe('npm start', () => {
  const started: RunningProcess[] = [];
  const dataDirs: string[] = [];

  afterEach(async () => {
    await Promise.all(started.splice(0).map((running) => running.close()));
    for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('should start Redis, the API and a worker in one command, and stop them all on SIGTERM', async () => {
    const [redisPort, port] = [await freePort(), await freePort()];
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    dataDirs.push(join(projectDir, '.data', `redis-${redisPort}`));
    const app = startEntryPoint('scripts/start.ts', { REDIS_URL: redisUrl, PORT: String(port), HOST: '127.0.0.1' });
    started.push(app);
    const url = `http://127.0.0.1:${port}`;

    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { what: 'the API', timeoutMs: 20_000 });
    expect(app.output()).toContain(`starting redis-server on port ${redisPort}`);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/`)).text()).toContain('Task service');

    const { createCalculationTask: task } = await gqlData<{ createCalculationTask: TaskData }>(
      url,
      CREATE_CALCULATION,
      {
        input: { numbers: [6, 7], operation: 'PRODUCT' },
      },
    );
    await waitFor(
      async () => (await gqlData<{ task: TaskData }>(url, GET_TASK, { id: task.id })).task.result?.value === '42',
      {
        what: 'the worker to run the task',
      },
    );

    app.child.kill('SIGTERM');
    expect(await within(app.exited, 20_000, 'the exit')).toBe(0);
    expect(await redisAnswers(redisUrl)).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('should say how to get Redis when none answers and redis-server is not installed', async () => {
    const port = await freePort();
    const bin = mkdtempSync(join(tmpdir(), 'node-only-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    dataDirs.push(bin);
    const { code, output } = await runEntryPoint('scripts/start.ts', {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      PATH: bin, // node and nothing else: no redis-server
    });
    expect(code).toBe(1);
    expect(output).toContain('redis-server is not installed');
    expect(output).toContain('apt-get install redis-server');
    expect(output).toContain('docker compose up -d redis');
  });
});
