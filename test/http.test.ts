import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../testbed/processes.js';
import { createTestStack } from './support/stack.js';
import { useTestApi } from './support/test-api.js';
import { waitFor, within } from '../testbed/wait.js';

interface RawHttp {
  socket: Socket;
  /** What the server has sent so far. */
  received(): string;
  /** The connection has closed, by either side. */
  ended: Promise<void>;
  /** The error the connection ended with (ECONNRESET when the server reset it), if any. */
  error(): Error | undefined;
  /** Sends, resolving once the kernel has taken it all (rejecting when the connection fails first). */
  send(data: string | Buffer): Promise<void>;
}

/** A raw HTTP/1.1 connection, to hold it open and idle, to send a request in halves, or to read only after sending. */
async function rawHttp(url: string): Promise<RawHttp> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  let failure: Error | undefined;
  socket.on('data', (chunk) => (text += String(chunk)));
  socket.on('error', (error) => (failure = error));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const send = (data: string | Buffer) =>
    new Promise<void>((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
  return { socket, received: () => text, ended, error: () => failure, send };
}

const postHead = (length: number) =>
  `POST /graphql HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

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

  describe('a body over 1 MB', () => {
    const tooLarge = 'Request body is larger than 1000000 bytes';
    // 5 MB: what a client is still sending, and the kernel still holds, when the API refuses it.
    const large = JSON.stringify({ query: `{ workers { name } } # ${'x'.repeat(5_000_000)}` });
    let bodyFile = '';
    beforeAll(async () => {
      bodyFile = join(await mkdtemp(join(tmpdir(), 'http-test-')), 'large.json');
      await writeFile(bodyFile, large);
    });
    afterAll(() => rm(dirname(bodyFile), { recursive: true, force: true }));

    it('should get a 413 that fetch reads, each of 20 times, never a reset', async () => {
      for (let i = 0; i < 20; i++) {
        const answer = await fetch(`${setup.api.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: large,
        });
        expect([answer.status, answer.headers.get('connection'), await answer.text()]).toEqual([
          413,
          'close',
          tooLarge,
        ]);
      }
    });

    it('should get a 413 that curl reads, each of 20 times, never a reset', async () => {
      for (let i = 0; i < 20; i++) {
        const { stdout, stderr } = await runProcess('curl', [
          '--silent',
          '--show-error',
          '--output',
          '-',
          '--write-out',
          ' %{http_code} %header{connection}',
          '--header',
          'content-type: application/json',
          '--data-binary',
          `@${bodyFile}`,
          `${setup.api.url}/graphql`,
        ]);
        expect(stdout, stderr).toBe(`${tooLarge} 413 close`);
      }
    });

    it('should be read to its end and thrown away, then the connection closed cleanly: a client that reads only after sending gets the 413', async () => {
      const raw = await rawHttp(setup.api.url);
      await raw.send(postHead(large.length) + large);
      await within(raw.ended, 10_000, 'the connection to close');
      expect(raw.error()).toBeUndefined();
      expect(raw.received()).toMatch(/^HTTP\/1\.1 413 /);
      expect(raw.received()).toMatch(/\r\nConnection: close\r\n/i);
      expect(raw.received()).toMatch(new RegExp(`\r\n\r\n${tooLarge}$`));
    });

    it('should not hold a connection past the bounds of what is thrown away: 10 MB, or 5 s', async () => {
      // A client that sends a declared gigabyte as fast as it can is cut once 10 MB more have been thrown away.
      const fast = await rawHttp(setup.api.url);
      let sent = 0;
      try {
        await fast.send(postHead(1_000_000_000));
        const chunk = Buffer.alloc(1_000_000, 'x');
        while (sent < 1_000_000_000) {
          await fast.send(chunk);
          sent += chunk.length;
        }
      } catch {
        // the API closed the connection while it was still sending
      }
      await within(fast.ended, 10_000, 'the fast connection to close');
      // 10 MB, and what the kernel's buffers held; without the bound it would send for 5 s.
      expect(sent).toBeLessThan(100_000_000);
      expect(fast.received()).toMatch(/^HTTP\/1\.1 413 /);

      // One that sends the rest of its body a little at a time is cut after 5 s.
      const slow = await rawHttp(setup.api.url);
      await slow.send(postHead(100_000_000) + 'x'.repeat(1_100_000));
      const trickle = setInterval(() => slow.socket.writable && slow.socket.write('x'.repeat(1_000)), 100);
      try {
        await within(slow.ended, 15_000, 'the slow connection to close');
      } finally {
        clearInterval(trickle);
      }
      expect(slow.received()).toMatch(/^HTTP\/1\.1 413 /);
      expect((await fetch(`${setup.api.url}/healthz`)).status).toBe(200);
    });
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
  it('should not wait for idle keep-alive connections, and answer a request in flight before closing its connection', async () => {
    const stack = await createTestStack();
    try {
      const api = await stack.startApi();
      const idle = await rawHttp(api.url);
      idle.socket.write('GET /healthz HTTP/1.1\r\nHost: api\r\nConnection: keep-alive\r\n\r\n');
      await waitFor(() => idle.received().endsWith('ok'), { what: 'the first answer' });

      const body = JSON.stringify({ query: '{ workers { name } }' });
      const busy = await rawHttp(api.url);
      busy.socket.write(postHead(body.length) + body.slice(0, 10));
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
