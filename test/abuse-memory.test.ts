import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postGraphQL } from './support/graphql.js';
import { freePort, startEntryPoint, type RunningProcess } from './support/processes.js';
import { REDIS_URL, createTestStack, type TestStack } from './support/stack.js';
import { waitFor } from '../testbed/wait.js';

const secret = 'a-secret-of-the-tests-own-at-least-32-characters';
/** A heap this small holds the API comfortably, and not a few hundred megabytes of cached texts. */
const HEAP_MB = 192;
const TEXTS = 150; // per way of sending them

/** A valid operation text of nearly a megabyte (a request body may hold one), distinct for each `i`. */
const bigText = (i: number) => `query Padded${i} { workers { name } }\n#${'x'.repeat(990_000)}`;

describe('memory under large distinct operation texts', () => {
  let stack: TestStack;
  let api: RunningProcess;
  let url: string;
  let token: string;

  beforeAll(async () => {
    stack = await createTestStack();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    api = startEntryPoint('src/main.ts', {
      NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`,
      REDIS_URL,
      REDIS_KEY_PREFIX: stack.keys.prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_JWT_SECRET: secret,
      LOG_LEVEL: 'warn',
    });
    await waitFor(() => fetch(`${url}/readyz`).then((response) => response.ok), { what: 'the API', timeoutMs: 20_000 });
    token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('probe')
      .sign(new TextEncoder().encode(secret));
  });

  afterAll(async () => {
    await api.stop('SIGTERM');
    await stack.close();
  });

  const post = (text: string, bearer: string | null) => postGraphQL(url, { query: text }, { token: bearer });

  it('should keep neither the texts it answered nor those it refused, over HTTP', async () => {
    for (let i = 0; i < TEXTS; i++) {
      const accepted = await post(bigText(i), token);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toEqual({ data: { workers: [] } });
      // Without a token the request is refused before its text is even parsed.
      expect((await post(bigText(TEXTS + i), null)).status).toBe(401);
    }
    expect(api.child.exitCode, api.output().slice(-2_000)).toBeNull();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('should keep none of them over graphql-ws either', async () => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, ['graphql-transport-ws']);
    const answers: { id?: string; type: string }[] = [];
    socket.on('message', (data) => answers.push(JSON.parse(String(data)) as { type: string }));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await waitFor(() => answers.some((answer) => answer.type === 'connection_ack'), { what: 'the ack' });
    for (let i = 0; i < TEXTS; i++) {
      socket.send(
        JSON.stringify({
          type: 'subscribe',
          id: String(i),
          payload: { query: bigText(2 * TEXTS + i).slice(0, 900_000) },
        }),
      );
      await waitFor(() => answers.some((answer) => answer.id === String(i) && answer.type === 'complete'), {
        what: `answer ${i}`,
      });
    }
    socket.close();
    expect(api.child.exitCode, api.output().slice(-2_000)).toBeNull();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
