import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { limitClient } from '../core/keys.js';
import { clientAddress } from '../src/http/client-address.js';
import { gql, gqlData, gqlFrom, postGraphQL, watch, wsClient, type GraphQLResponse } from './support/graphql.js';
import { CREATE_SLEEP } from './support/operations.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { within } from '../testbed/wait.js';

const sleep = { input: { duration: 1 } };
const errorsOf = (response: GraphQLResponse) => response.errors?.map((error) => error.extensions) ?? [];

describe('the task creation rate limit', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  it('should refuse creations past the limit, over HTTP and graphql-ws, with nothing enqueued', async () => {
    const api = await stack.startApi({ limits: { rateLimitCreates: 3, rateLimitWindowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await gql(api.url, CREATE_SLEEP, sleep)).errors).toBeUndefined();

    const refused = await gql(api.url, CREATE_SLEEP, sleep);
    expect(refused.data ?? null).toBeNull(); // refused before it ran: no data at all
    expect(refused.errors).toHaveLength(1);
    // One creation every 60 / 3 = 20 s comes back.
    expect(refused.errors![0]!.message).toMatch(/^Too many tasks created: try again in (19|20) s$/);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.errors![0]!.extensions!.retryAfter).toBeGreaterThanOrEqual(19);
    expect(refused.errors![0]!.extensions!.retryAfter).toBeLessThanOrEqual(20);

    // The same client over graphql-ws shares the bucket.
    const client = wsClient(api.url);
    try {
      const overWs = watch(client, CREATE_SLEEP, sleep);
      await within(overWs.ended, 5_000, 'the answer');
      expect((overWs.error as { extensions: unknown }[]).map((error) => error.extensions)).toMatchObject([
        { code: 'RATE_LIMITED' },
      ]);
    } finally {
      await client.dispose();
    }

    // Invalid input is refused as such, and does not count.
    expect(errorsOf(await gql(api.url, CREATE_SLEEP, { input: { duration: 0 } }))).toMatchObject([
      { code: 'BAD_USER_INPUT' },
    ]);
    expect((await stack.jobCounts()).prioritized).toBe(3);
    expect(await stack.redis.zcard(stack.keys.index({}))).toBe(3);

    // Its bucket is one key under the service's prefix (in its hash slot), which expires.
    const [key, ...others] = await stack.redis.keys(`${stack.keys.prefix}:rate-limit:*`);
    expect(others).toEqual([]);
    expect(key).toBe(stack.keys.rateLimit('create', limitClient(null, '127.0.0.1')));
    expect(await stack.redis.pttl(key!)).toBeGreaterThan(50_000);
  });

  it('should count each client apart, and every API instance alike', async () => {
    const limits = { rateLimitCreates: 2, rateLimitWindowMs: 60_000 };
    const [first, second] = [await stack.startApi({ limits }), await stack.startApi({ limits })];
    expect((await gql(first.url, CREATE_SLEEP, sleep)).errors).toBeUndefined();
    expect((await gql(second.url, CREATE_SLEEP, sleep)).errors).toBeUndefined();
    expect(errorsOf(await gql(first.url, CREATE_SLEEP, sleep))).toMatchObject([{ code: 'RATE_LIMITED' }]);
    expect(errorsOf(await gql(second.url, CREATE_SLEEP, sleep))).toMatchObject([{ code: 'RATE_LIMITED' }]);

    const elsewhere = await gqlFrom('127.0.0.2', first.url, CREATE_SLEEP, sleep);
    expect(elsewhere.errors).toBeUndefined();
    expect((await stack.jobCounts()).prioritized).toBe(3);
  });

  it('should refuse a request whose creations do not all fit, creating none of them', async () => {
    const api = await stack.startApi({ limits: { rateLimitCreates: 3, rateLimitWindowMs: 60_000 } });
    const fields = (n: number) =>
      `mutation { ${Array.from({ length: n }, (_, i) => `t${i}: createSleepTask(input: { duration: 1 }) { id }`).join(' ')} }`;
    const refused = await gql(api.url, fields(5));
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors!.map((error) => error.extensions!.code)).toEqual(['RATE_LIMITED']);
    expect((await stack.jobCounts()).prioritized).toBe(0);
    // What fits is admitted whole, and the allowance is spent by it.
    expect(Object.keys(await gqlData(api.url, fields(3))).length).toBe(3);
    expect(errorsOf(await gql(api.url, CREATE_SLEEP, sleep))).toMatchObject([{ code: 'RATE_LIMITED' }]);
    expect((await stack.jobCounts()).prioritized).toBe(3);
  });

  it('should allow creations again as the bucket refills', async () => {
    const api = await stack.startApi({ limits: { rateLimitCreates: 2, rateLimitWindowMs: 2_000 } });
    expect((await gql(api.url, CREATE_SLEEP, sleep)).errors).toBeUndefined();
    expect((await gql(api.url, CREATE_SLEEP, sleep)).errors).toBeUndefined();
    const refused = await gql(api.url, CREATE_SLEEP, sleep);
    expect(refused.errors![0]!.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 1 });
    // One creation comes back every 2 / 2 = 1 s.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await gql(api.url, CREATE_SLEEP, sleep)).errors).toBeUndefined();
    expect(errorsOf(await gql(api.url, CREATE_SLEEP, sleep))).toMatchObject([{ code: 'RATE_LIMITED' }]);
    expect((await stack.jobCounts()).prioritized).toBe(3);
  });

  it("should answer reads and creations at the top of the limits' ranges (npm run soak sets them)", async () => {
    // 10^9 reads a second: each costs less than a double can add to a time in milliseconds.
    const limits = { readBudget: 1_000_000_000, rateLimitCreates: 1_000_000, rateLimitWindowMs: 1_000 };
    const api = await stack.startApi({ limits });
    const { createSleepTask } = await gqlData<{ createSleepTask: { id: string } }>(api.url, CREATE_SLEEP, sleep);
    for (let i = 0; i < 3; i++) {
      const read = await gql(api.url, 'query ($id: ID!) { task(id: $id) { state } }', { id: createSleepTask.id });
      expect(read).toEqual({ data: { task: { state: 'QUEUED' } } });
    }
  });
});

describe('the client address', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b:1:2::192.0.2.1', '64:ff9b:1:2::/64'],
    [undefined, 'unknown'],
  ])('should count %s as %s', (address, client) => {
    expect(clientAddress(address)).toBe(client);
  });
});

describe('client addresses behind a trusted proxy', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(() => stack.close());

  /** One create as a proxy on this machine would forward it, saying whom it came from. */
  async function createForwarded(url: string, forwardedFor: string) {
    const response = await postGraphQL(
      url,
      { query: CREATE_SLEEP, variables: sleep },
      { headers: { 'x-forwarded-for': forwardedFor } },
    );
    return errorsOf(response.body).map((extensions) => extensions?.code);
  }

  it('should count each forwarded client on its own, and ignore the header from anyone untrusted', async () => {
    const limits = { rateLimitCreates: 2, rateLimitWindowMs: 60_000, maxSocketsPerClient: 1 };
    const trusting = await stack.startApi({ limits, http: { trustedProxies: ['loopback'] } });
    for (const client of ['203.0.113.1', '203.0.113.2']) {
      expect(await createForwarded(trusting.url, client)).toEqual([]);
      expect(await createForwarded(trusting.url, `198.51.100.9, ${client}`)).toEqual([]); // the last hop is the proxy's word
      expect(await createForwarded(trusting.url, client)).toEqual(['RATE_LIMITED']);
    }

    // A WebSocket's upgrade is counted the same way: one per forwarded client here.
    const upgrade = (forwardedFor: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${trusting.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
          headers: { 'x-forwarded-for': forwardedFor },
        });
        socket.on('error', () => undefined); // a refused upgrade, terminated below
        socket.on('open', () => resolve(101));
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        sockets.push(socket);
      });
    const sockets: WebSocket[] = [];
    try {
      expect(await upgrade('203.0.113.1')).toBe(101);
      expect(await upgrade('203.0.113.2')).toBe(101);
      expect(await upgrade('203.0.113.1')).toBe(429);
    } finally {
      for (const socket of sockets) socket.terminate();
    }

    // Without TRUST_PROXY a header is anyone's to send: every request counts as the socket's address.
    const plain = await stack.startApi({ limits: { ...limits, rateLimitCreates: 1 } });
    expect(await createForwarded(plain.url, '192.0.2.50')).toEqual([]);
    expect(await createForwarded(plain.url, '192.0.2.51')).toEqual(['RATE_LIMITED']);
  });
});
