import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postGraphQL, watch, wsClient } from './support/graphql.js';
import {
  CANCEL_TASK,
  CREATE_SLEEP,
  DELETE_TASK,
  GET_TASK,
  LIST_TASKS,
  TASK_PROGRESS,
  TASK_UPDATED,
  type TaskData,
} from './support/operations.js';
import { createTestStack, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import { createTaskServiceClient } from '../examples/graphql-ws-client.js';
import WebSocket from 'ws';

const secret = 'a-secret-of-the-tests-own-at-least-32-characters';

function token(subject: string, key: Uint8Array = new TextEncoder().encode(secret)) {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setExpirationTime('5m').sign(key);
}

/** A bearer token, none, or an Authorization value of another kind. */
type Credentials = string | null | { authorization: string };

const authorizationOf = (credentials: Credentials) =>
  typeof credentials === 'string' ? `Bearer ${credentials}` : credentials?.authorization;

/** GraphQL over HTTP with these credentials. */
async function as(credentials: Credentials, url: string, query: string, variables: Record<string, unknown> = {}) {
  const { status, headers, body } = await postGraphQL(
    url,
    { query, variables },
    typeof credentials === 'string' ? { token: credentials } : { headers: credentials ?? {} },
  );
  return { status, challenge: headers.get('www-authenticate'), ...body };
}

describe('authentication', () => {
  let stack: TestStack;
  const clients: Client[] = [];
  const socketFor = (url: string, credentials: Credentials) => {
    const authorization = authorizationOf(credentials);
    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: authorization ? { authorization } : {},
    });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    stack = await createTestStack();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await stack.close();
  });

  it('should hide every task from everyone but its creator, in every query, mutation and subscription', async () => {
    const api = await stack.startApi({ auth: { jwtSecret: secret } });
    const [alice, bob] = [await token('alice'), await token('bob')];
    const bobUpdates = watch<{ taskUpdated: TaskData }>(socketFor(api.url, bob), TASK_UPDATED);
    const aliceUpdates = watch<{ taskUpdated: TaskData }>(socketFor(api.url, alice), TASK_UPDATED);
    await waitFor(
      async () => ((await stack.redis.pubsub('NUMSUB', stack.keys.allTasksChannel)) as [string, number])[1] === 1,
      {
        what: 'the taskUpdated subscriptions',
      },
    );

    const created = await as(alice, api.url, CREATE_SLEEP, { input: { duration: 30 } });
    const id = (created.data!.createSleepTask as TaskData).id;
    await waitFor(() => aliceUpdates.values.length === 1, { what: "alice's own event" });

    expect((await as(alice, api.url, GET_TASK, { id })).data!.task).toMatchObject({ id, state: 'QUEUED' });
    expect((await as(bob, api.url, GET_TASK, { id })).data!.task).toBeNull();
    for (const mutation of [CANCEL_TASK, DELETE_TASK]) {
      const { errors } = await as(bob, api.url, mutation, { id });
      expect(errors![0]!.extensions!.code).toBe('NOT_FOUND');
    }
    const bobWatch = watch(socketFor(api.url, bob), TASK_PROGRESS, { id });
    await within(bobWatch.ended, 5_000, "bob's refusal");
    expect(bobWatch.error).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
    ]);
    expect((await as(alice, api.url, LIST_TASKS)).data!.tasks).toMatchObject({ totalCount: 1 });
    expect((await as(bob, api.url, LIST_TASKS)).data!.tasks).toMatchObject({ totalCount: 0, nodes: [] });

    // Bob's own task is his alone, and only his own events reach his taskUpdated.
    const bobs = (await as(bob, api.url, CREATE_SLEEP, { input: { duration: 30 } })).data!.createSleepTask as TaskData;
    await waitFor(() => bobUpdates.values.length === 1, { what: "bob's own event" });
    expect(bobUpdates.values.map((value) => value.taskUpdated.id)).toEqual([bobs.id]);
    expect((await as(alice, api.url, LIST_TASKS)).data!.tasks).toMatchObject({ totalCount: 1 });

    // Alice can still do everything with hers; the task was never touched by bob's attempts.
    expect((await as(alice, api.url, CANCEL_TASK, { id })).data!.cancelTask).toMatchObject({ state: 'CANCELLED' });
    expect((await as(alice, api.url, DELETE_TASK, { id })).data).toEqual({ deleteTask: true });
    expect(aliceUpdates.values.map((value) => value.taskUpdated.id).every((seen) => seen === id)).toBe(true);
  });

  it('should answer UNAUTHENTICATED to a missing, malformed, forged or expired token', async () => {
    const api = await stack.startApi({ auth: { jwtSecret: secret } });
    const forged = await token('alice', new TextEncoder().encode('another-secret-another-secret-another-secret'));
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret));
    // Signed with the right secret, but its subject is a number, not a name.
    const numericSubject = await new SignJWT({ sub: 42 as unknown as string })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(secret));
    // Each refused in the service's own words, never the JWT library's ("Invalid Compact JWS").
    const refusals: [Credentials, string][] = [
      [null, 'A bearer token is required (Authorization: Bearer <token>)'],
      [{ authorization: 'Basic YWxpY2U6c2VjcmV0' }, 'The Authorization value must be "Bearer <token>"'],
      ['not-a-jwt', 'The token was refused: it is not a JWT this service accepts'],
      [forged, 'The token was refused: it is not signed by a key this service trusts'],
      [expired, 'The token was refused: it has expired'],
      [numericSubject, 'The token has no subject (sub) that is a non-empty string'],
    ];
    for (const [credentials, message] of refusals) {
      const answer = await as(credentials, api.url, CREATE_SLEEP, { input: { duration: 1 } });
      expect(answer.status).toBe(401);
      expect(answer.errors).toMatchObject([{ message, extensions: { code: 'UNAUTHENTICATED' } }]);
      // RFC 6750: a bare challenge when no bearer token came, invalid_token with the reason when one did.
      expect(answer.challenge).toBe(
        typeof credentials === 'string'
          ? `Bearer error="invalid_token", error_description="${message.replaceAll('"', "'")}"`
          : 'Bearer',
      );
    }
    // Over graphql-ws the socket itself is refused at connection_init (4403 Forbidden), with the same reason.
    for (const [credentials, message] of refusals) {
      const refused = watch(socketFor(api.url, credentials), TASK_UPDATED);
      await within(refused.ended, 5_000, 'the refusal over graphql-ws');
      expect(refused.error).toMatchObject({ code: 4403, reason: `Forbidden: ${message}` });
    }
    expect(Object.values(await stack.jobCounts()).every((count) => count === 0)).toBe(true);
  });

  it("should stop the stock graphql-ws client's retries at a refused token with the documented shouldRetry", async () => {
    const api = await stack.startApi({ auth: { jwtSecret: secret } });
    const forged = await token('mallory', new TextEncoder().encode('another-secret-another-secret-another-secret'));
    const url = `${api.url.replace('http', 'ws')}/graphql`;
    /** How often a client tries to connect before it gives up on the refusal. */
    const connectAttempts = async (create: (options: ClientOptions) => Client) => {
      let attempts = 0;
      const client = create({
        url,
        webSocketImpl: WebSocket,
        retryAttempts: 3,
        retryWait: () => Promise.resolve(),
        on: { connecting: () => attempts++ },
      });
      clients.push(client);
      const refused = watch(client, TASK_UPDATED);
      await within(refused.ended, 5_000, 'the refusal');
      expect(refused.error).toMatchObject({ code: 4403 });
      return attempts;
    };
    expect(await connectAttempts((options) => createTaskServiceClient({ ...options, token: forged }))).toBe(1);
    // graphql-ws's own rule retries a 4403 with the same token, as often as it may.
    const stock = (options: ClientOptions) =>
      createClient({ ...options, connectionParams: { authorization: `Bearer ${forged}` } });
    expect(await connectAttempts(stock)).toBe(4);
  });

  it('should accept tokens signed by a key of a JWKS URL', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    const jwks: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    try {
      const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
      const api = await stack.startApi({ auth: { jwksUrl, issuer: 'https://issuer.test/', audience: 'task-service' } });
      const signed = (issuer: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
          .setSubject('carol')
          .setIssuer(issuer)
          .setAudience('task-service')
          .setExpirationTime('5m')
          .sign(privateKey);
      const accepted = await as(await signed('https://issuer.test/'), api.url, CREATE_SLEEP, {
        input: { duration: 1 },
      });
      expect(accepted.data!.createSleepTask).toMatchObject({ state: 'QUEUED' });
      const wrongIssuer = await as(await signed('https://elsewhere.test/'), api.url, GET_TASK, {
        id: (accepted.data!.createSleepTask as TaskData).id,
      });
      expect(wrongIssuer.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    } finally {
      await new Promise((resolve) => jwks.close(resolve));
    }
  });

  it('should leave everything open to everyone when it is off', async () => {
    const api = await stack.startApi();
    const created = await as(null, api.url, CREATE_SLEEP, { input: { duration: 1 } });
    const id = (created.data!.createSleepTask as TaskData).id;
    expect((await as(await token('anyone'), api.url, GET_TASK, { id })).data!.task).toMatchObject({ id });
    const open = wsClient(api.url);
    clients.push(open);
    const progress = watch(open, TASK_PROGRESS, { id });
    await waitFor(() => progress.values.length === 1, { what: 'the snapshot' });
    progress.stop();
  });
});
