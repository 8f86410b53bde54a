import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listeningNotice } from '../src/http/static-files.js';
import { freePort, startEntryPoint, type RunningProcess } from './support/processes.js';
import { createTestStack, REDIS_URL, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

describe('what the API says once it listens', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const clientDir = (...pages: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'client-dist-'));
    dirs.push(dir);
    for (const page of pages) writeFileSync(join(dir, page), '<!doctype html>');
    return dir;
  };

  it('should name the dashboard and the playground when both are built', () => {
    expect(listeningNotice('http://127.0.0.1:4000', clientDir('index.html', 'playground.html'))).toEqual({
      level: 'info',
      message: 'dashboard at http://127.0.0.1:4000/ and playground at http://127.0.0.1:4000/graphql',
    });
  });

  it('should say how to build them, and give no address that answers 503, when they are not built', () => {
    for (const dir of [clientDir(), clientDir('index.html'), join(tmpdir(), 'no-such-client-dist')]) {
      const { level, message } = listeningNotice('http://127.0.0.1:4000', dir);
      expect(level).toBe('warn');
      expect(message).toContain('GraphQL at http://127.0.0.1:4000/graphql');
      expect(message).toContain('npm run build:client');
      expect(message).not.toContain('dashboard at');
    }
  });
});

describe('npm run start:api', () => {
  let stack: TestStack;
  let api: RunningProcess | undefined;

  beforeAll(async () => {
    stack = await createTestStack();
  });

  afterAll(async () => {
    if (api && api.child.exitCode === null) {
      process.kill(-api.child.pid!, 'SIGKILL');
      await api.exited;
    }
    await stack.close();
  });

  it('should serve the built dashboard, and say where', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    api = startEntryPoint('src/main.ts', {
      REDIS_URL,
      REDIS_KEY_PREFIX: stack.keys.prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    await waitFor(() => api!.output().includes(`dashboard at ${url}/`), { what: 'the line that names the dashboard' });
    const dashboard = await fetch(`${url}/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('Task service');
    expect(api.output()).not.toContain('not built');

    api.child.kill('SIGTERM');
    expect(await within(api.exited, 20_000, 'the exit')).toBe(0);
  });
});
