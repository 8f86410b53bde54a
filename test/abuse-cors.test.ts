import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestApi, type TestStack } from './support/stack.js';

const allowed = 'https://app.example.com';
const other = 'https://evil.example';

const preflight = (url: string, origin: string) =>
  fetch(`${url}/graphql`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, apollo-require-preflight',
    },
  });

const post = (url: string, origin: string, contentType = 'application/json') =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { origin, 'content-type': contentType },
    body: JSON.stringify({ query: '{ workers { name } }' }),
  });

const corsHeaders = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith('access-control-')).sort();

describe('CORS', () => {
  let stack: TestStack;
  let api: TestApi;
  let sameOriginOnly: TestApi;

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi({ http: { corsOrigins: [allowed, 'http://localhost:5173'] } });
    sameOriginOnly = await stack.startApi();
  });

  afterAll(() => stack.close());

  it('should answer a preflight from an allowed origin with 204 and its headers', async () => {
    const response = await preflight(api.url, allowed);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type, apollo-require-preflight');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers');
    expect(await response.text()).toBe('');
  });

  it('should give another origin no CORS header, in a preflight or a request', async () => {
    const response = await preflight(api.url, other);
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toEqual([]);
    // The server answers (CORS is the browser's to enforce), but tells the browser nothing is allowed.
    expect(corsHeaders(await post(api.url, other))).toEqual([]);
  });

  it('should let an allowed origin read the answer to its request', async () => {
    const response = await post(api.url, allowed);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.get('vary')).toBe('Origin');
    expect(await response.json()).toEqual({ data: { workers: [] } });
  });

  it('should send no CORS header at all by default (same origin only)', async () => {
    const response = await preflight(sameOriginOnly.url, allowed);
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toEqual([]);
    expect(response.headers.get('vary')).toBeNull();
    const request = await post(sameOriginOnly.url, allowed);
    expect(corsHeaders(request)).toEqual([]);
    expect(await request.json()).toEqual({ data: { workers: [] } });
  });

  it("should keep Apollo's CSRF prevention for an allowed origin too", async () => {
    const query = encodeURIComponent('{ workers { name } }');
    // A GET without a header that forces a preflight is refused, whoever sends it.
    expect((await fetch(`${api.url}/graphql?query=${query}`, { headers: { origin: allowed } })).status).toBe(400);
    expect((await fetch(`${sameOriginOnly.url}/graphql?query=${query}`)).status).toBe(400);
    // So is a "simple" POST, which a browser sends cross-origin without asking first.
    expect((await post(api.url, allowed, 'text/plain')).status).toBe(400);
    expect((await post(api.url, other, 'text/plain')).status).toBe(400);
  });
});
