import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { createTestStack } from './support/stack.js';
import { useTestApi } from './support/test-api.js';
import { waitFor, within } from './support/wait.js';

describe('the HTTP surface', () => {
  const setup = useTestApi();

  it('should answer /healthz and /readyz', async () => {
    expect((await fetch(`${setup.api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${setup.api.url}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ready']);
  });

  it('should serve the playground to a browser and the dashboard at /, from the bundle', async () => {
    for (const [path, title] of [
      ['/graphql', 'Task service playground'],
      ['/', 'Task service'],
    ]) {
      const page = await fetch(`${setup.api.url}${path}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain(`<title>${title}</title>`);
      const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) {
        expect(url).toMatch(/^\/[^/]/); // from this server, nothing from elsewhere
        const asset = await fetch(`${setup.api.url}${url}`);
        expect(asset.status).toBe(200);
        if (url.startsWith('/assets/')) expect(asset.headers.get('cache-control')).toContain('immutable');
      }
    }
    expect((await fetch(`${setup.api.url}/nothing-here`)).status).toBe(404);
    expect((await fetch(`${setup.api.url}/..%2fpackage.json`)).status).toBe(404);
  });

  it('should run queries over GET, but not mutations', async () => {
    const query = encodeURIComponent('{ workers { name } }');
    const get = await fetch(`${setup.api.url}/graphql?query=${query}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(await get.json()).toEqual({ data: { workers: [] } });
    // Task states change by the second: no browser or proxy may keep an answer.
    expect(get.headers.get('cache-control')).toBe('no-store');

    const mutation = encodeURIComponent('mutation { createSleepTask(input: { duration: 1 }) { id } }');
    const refused = await fetch(`${setup.api.url}/graphql?query=${mutation}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(refused.status).toBe(405);
    expect((await setup.stack.jobCounts()).prioritized).toBe(0);
  });

  it('should refuse a GET without a preflight header (CSRF prevention)', async () => {
    const query = encodeURIComponent('{ workers { name } }');
    expect((await fetch(`${setup.api.url}/graphql?query=${query}`)).status).toBe(400);
  });

  it('should answer malformed JSON with 400 and a large body with 413', async () => {
    const malformed = await fetch(`${setup.api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect([malformed.status, await malformed.text()]).toEqual([400, 'The request body is not valid JSON']);

    const large = await fetch(`${setup.api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ workers { name } } # ${'x'.repeat(1_100_000)}` }),
    });
    expect(large.status).toBe(413);
    expect((await fetch(`${setup.api.url}/healthz`)).status).toBe(200);
  });
});

describe('stopping the API', () => {
  it('should close graphql-ws sockets with 1001 so that clients reconnect elsewhere', async () => {
    const stack = await createTestStack();
    try {
      const api = await stack.startApi();
      const closed = new Promise<number>((resolve) => {
        const socket = new WebSocket(`${api.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
        socket.on('message', () => void api.close());
        socket.on('close', (code) => resolve(code));
      });
      expect(await within(closed, 5_000, 'the close')).toBe(1001);
      await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
    } finally {
      await stack.close();
    }
  });
  /** A raw HTTP/1.1 connection, to hold it open and idle or to send a request in halves. */
  async function rawHttp(url: string): Promise<{ socket: Socket; received: () => string; ended: Promise<void> }> {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let text = '';
    socket.on('data', (chunk) => (text += String(chunk)));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return { socket, received: () => text, ended };
  }

  it('should not wait for idle keep-alive connections, and answer a request in flight before closing its connection', async () => {
    const stack = await createTestStack();
    try {
      const api = await stack.startApi();
      const idle = await rawHttp(api.url);
      idle.socket.write('GET /healthz HTTP/1.1\r\nHost: api\r\nConnection: keep-alive\r\n\r\n');
      await waitFor(() => idle.received().endsWith('ok'), { what: 'the first answer' });

      const body = JSON.stringify({ query: '{ workers { name } }' });
      const busy = await rawHttp(api.url);
      busy.socket.write(
        `POST /graphql HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n` +
          body.slice(0, 10),
      );
      await new Promise((resolve) => setTimeout(resolve, 100)); // the request has reached the API
      const started = Date.now();
      const closed = api.close();
      await within(idle.ended, 2_000, 'the idle connection to be closed');
      busy.socket.write(body.slice(10));
      await within(busy.ended, 2_000, 'the busy connection to be closed after its answer');
      expect(busy.received()).toMatch(/^HTTP\/1\.1 200 /);
      expect(busy.received()).toContain('{"data":{"workers":[]}}');
      await within(closed, 2_000, 'the API to stop');
      expect(Date.now() - started).toBeLessThan(2_000); // not the ten-second grace period
    } finally {
      await stack.close();
    }
  });
});
