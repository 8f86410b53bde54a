import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { getIntrospectionQuery, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CliCreateTaskDocument,
  CliTaskProgressDocument,
  CliTasksDocument,
  CliWorkersDocument,
} from '../cli/graphql/generated/graphql.js';
import { documentIdOf } from '../cli/persisted-documents.js';
import { ConfigError } from '../core/config.js';
import { parseApiConfig } from '../src/config.js';
import type { Context } from '../src/graphql/context.js';
import { gql, gqlData, postGraphQL, watch, wsClient } from './support/graphql.js';
import { CREATE_SLEEP, TASK_PROGRESS } from './support/operations.js';
import { acknowledgedSocket, type RawSocket } from './support/raw-socket.js';
import { createTestStack, projectDir, type ApiOverrides, type TestApi, type TestStack } from './support/stack.js';
import { waitFor, within } from '../testbed/wait.js';

const idOf = (document: DocumentNode) => documentIdOf(document)!;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const UNKNOWN_ID = `sha256:${'0'.repeat(64)}`;

interface Answer {
  status: number;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function get(url: string, params: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${url}/graphql?${new URLSearchParams(params)}`, {
    headers: { 'apollo-require-preflight': 'true', accept: 'application/json' },
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

/** A graphql-ws subscribe message sent by hand: `payload` as a client wrote it, `query` or not. */
function subscribe(raw: RawSocket, id: string, payload: Record<string, unknown>): void {
  raw.socket.send(JSON.stringify({ id, type: 'subscribe', payload }));
}

/** Counts what Apollo's pipeline saw: a request refused before it, nothing; one run by id, no parse of client text. */
function pipelineCounter() {
  const seen = { started: 0, parsed: [] as string[] };
  const plugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      seen.started++;
      return {
        async parsingDidStart({ source }) {
          seen.parsed.push(source);
        },
      };
    },
  };
  return { seen, plugin };
}

describe('trusted documents with TRUSTED_DOCUMENTS=only', () => {
  let stack: TestStack;
  let api: TestApi;
  const counter = pipelineCounter();

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi({ trustedDocuments: { mode: 'only' }, plugins: [counter.plugin] });
  });
  afterAll(() => stack.close());

  it('should run a document of the command line by its documentId over POST, its text from the manifest', async () => {
    const answer = await postGraphQL(api.url, {
      documentId: idOf(CliCreateTaskDocument),
      variables: { kind: 'sleep', input: { duration: 1 } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data!.createTask).toMatchObject({ name: 'sleep_task', state: 'QUEUED', total: 1 });
    // What Apollo parsed, if anything, is the manifest's text: never the client's.
    const manifest = JSON.parse(
      readFileSync(join(projectDir, 'cli/graphql/generated/persisted-documents.json'), 'utf8'),
    ) as Record<string, string>;
    expect(counter.seen.parsed.every((source) => Object.values(manifest).includes(source))).toBe(true);
  });

  it('should run a query by its documentId over GET, and refuse a mutation there (405)', async () => {
    const tasks = await get(api.url, { documentId: idOf(CliTasksDocument), variables: '{"first":5}' });
    expect(tasks.status).toBe(200);
    expect(tasks.body.data!.tasks.nodes.length).toBeGreaterThan(0);
    const mutation = await get(api.url, {
      documentId: idOf(CliCreateTaskDocument),
      variables: '{"kind":"sleep","input":{"duration":1}}',
    });
    expect(mutation.status).toBe(405);
  });

  it("should take a manifest id in Apollo's extensions.persistedQuery too, as Apollo Client sends it", async () => {
    const id = idOf(CliWorkersDocument);
    for (const sha256Hash of [id, id.slice('sha256:'.length)]) {
      const answer = await postGraphQL(api.url, { extensions: { persistedQuery: { version: 1, sha256Hash } } });
      expect(answer.body).toEqual({ data: { workers: expect.any(Array), queues: expect.any(Array) } });
    }
  });

  it('should answer an unknown id PERSISTED_QUERY_NOT_FOUND, before Apollo sees the request', async () => {
    const before = counter.seen.started;
    for (const body of [
      { documentId: UNKNOWN_ID },
      { documentId: UNKNOWN_ID, query: '{ workers { name } }' },
      { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ workers { name } }') } } },
    ]) {
      const answer = await postGraphQL(api.url, body);
      expect(answer.status).toBe(400);
      expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(answer.body.errors).toHaveLength(1);
    }
    expect(counter.seen.started).toBe(before);
  });

  it('should refuse any text, introspection and Apollo APQ registrations too, naming TRUSTED_DOCUMENTS', async () => {
    const before = counter.seen.started;
    const text = '{ workers { name } }';
    const refused = [
      await postGraphQL(api.url, { query: text }),
      await postGraphQL(api.url, { query: getIntrospectionQuery() }),
      await postGraphQL(api.url, {
        query: text,
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(text) } },
      }),
      await get(api.url, { query: text }),
    ];
    for (const answer of refused) {
      expect(answer.status).toBe(400);
      expect(codeOf(answer)).toBe('TRUSTED_DOCUMENTS_ONLY');
      expect(answer.body.errors![0]!.message).toContain('TRUSTED_DOCUMENTS=only');
    }
    expect(counter.seen.started).toBe(before);
    // Nothing was registered: the hash alone is still unknown.
    const again = await postGraphQL(api.url, {
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(text) } },
    });
    expect(codeOf(again)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('should follow a task over WebSocket by a subscribe message with documentId and no query, to its end', async () => {
    const { body } = await postGraphQL(api.url, {
      documentId: idOf(CliCreateTaskDocument),
      variables: { kind: 'sleep', input: { duration: 2 } },
    });
    const taskId = body.data!.createTask.id as string;
    const raw = await acknowledgedSocket(api.url);
    try {
      subscribe(raw, 'by-id', { documentId: idOf(CliTaskProgressDocument), variables: { id: taskId } });
      await waitFor(() => raw.messages.some((message) => message.type === 'next'), { what: 'the snapshot' });
      await stack.startWorker();
      await waitFor(() => raw.messages.some((message) => message.type === 'complete'), {
        what: 'the end of the subscription',
        timeoutMs: 15_000,
      });
      const states = raw.messages
        .filter((message) => message.type === 'next')
        .map((message) => (message.payload as { data: { taskProgress: { state: string } } }).data.taskProgress.state);
      expect(states[0]).toBe('QUEUED');
      expect(states.at(-1)).toBe('COMPLETED');
      expect(raw.messages.filter((message) => message.type === 'error')).toEqual([]);
    } finally {
      raw.socket.close();
    }
  });

  it('should refuse text and unknown ids over WebSocket with an error message, the socket going on', async () => {
    const raw = await acknowledgedSocket(api.url);
    try {
      subscribe(raw, 'text', { query: TASK_PROGRESS, variables: { id: 'x' } });
      subscribe(raw, 'unknown', { documentId: UNKNOWN_ID });
      subscribe(raw, 'apq', { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(TASK_PROGRESS) } } });
      await waitFor(() => raw.messages.filter((message) => message.type === 'error').length === 3, {
        what: 'three error messages',
      });
      const codes = Object.fromEntries(
        raw.messages
          .filter((message) => message.type === 'error')
          .map((message) => [message.id, (message.payload as { extensions: { code: string } }[])[0]!.extensions.code]),
      );
      expect(codes).toEqual({
        text: 'TRUSTED_DOCUMENTS_ONLY',
        unknown: 'PERSISTED_QUERY_NOT_FOUND',
        apq: 'PERSISTED_QUERY_NOT_FOUND',
      });
      // The socket is still open and serves a document by id.
      subscribe(raw, 'workers', { query: '', documentId: idOf(CliWorkersDocument) });
      await waitFor(() => raw.messages.some((message) => message.id === 'workers' && message.type === 'complete'), {
        what: 'the query by id',
      });
    } finally {
      raw.socket.close();
    }
  });
});

describe('trusted documents with TRUSTED_DOCUMENTS=accept (the default)', () => {
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('should serve ids and text alike', async () => {
    const byId = await postGraphQL(api.url, { documentId: idOf(CliWorkersDocument) });
    expect(byId.body).toEqual({ data: { workers: expect.any(Array), queues: expect.any(Array) } });
    await gqlData(api.url, CREATE_SLEEP, { input: { duration: 1 } });
    const client = wsClient(api.url);
    const subscription = watch(client, '{ workers { name } }');
    await within(subscription.ended, 5_000, 'the query over WebSocket');
    await client.dispose();
    expect(subscription.error).toBeNull();
  });

  it("should keep Apollo's automatic persisted queries: unknown hash, then the text registered, then the hash alone", async () => {
    const text = '{ workers { name concurrency } }';
    const persistedQuery = { version: 1, sha256Hash: sha256(text) };
    const first = await postGraphQL(api.url, { extensions: { persistedQuery } });
    expect(codeOf(first)).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await postGraphQL(api.url, { query: text, extensions: { persistedQuery } });
    expect(registered.body).toEqual({ data: { workers: expect.any(Array) } });
    const byHash = await postGraphQL(api.url, { extensions: { persistedQuery } });
    expect(byHash.body).toEqual({ data: { workers: expect.any(Array) } });
  });

  it('should answer an unknown documentId PERSISTED_QUERY_NOT_FOUND, even beside a text', async () => {
    const answer = await postGraphQL(api.url, { documentId: UNKNOWN_ID, query: '{ workers { name } }' });
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(answer.body.errors![0]!.message).toContain(UNKNOWN_ID);
  });
});

describe('trusted documents with TRUSTED_DOCUMENTS=off', () => {
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi({ trustedDocuments: { mode: 'off' } });
  });
  afterAll(() => stack.close());

  it('should answer a documentId PERSISTED_QUERY_NOT_SUPPORTED, and text as always', async () => {
    const answer = await postGraphQL(api.url, { documentId: idOf(CliWorkersDocument) });
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    expect(answer.body.errors![0]!.message).toContain('TRUSTED_DOCUMENTS=off');
    const text = await gql(api.url, '{ workers { name } }');
    expect(text.errors).toBeUndefined();
  });
});

describe('trusted documents under cost limits lower than they ask for', () => {
  let stack: TestStack;
  let api: TestApi;

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi({ limits: { maxDepth: 2 }, trustedDocuments: { mode: 'only' } });
  });
  afterAll(() => stack.close());

  it('should start, and refuse those documents where they are asked for, over HTTP and WebSocket, as their text would be', async () => {
    const http = await postGraphQL(api.url, { documentId: idOf(CliTasksDocument), variables: { first: 1 } });
    expect(codeOf(http)).toBe('GRAPHQL_VALIDATION_FAILED');
    const raw = await acknowledgedSocket(api.url);
    try {
      subscribe(raw, 'deep', { documentId: idOf(CliTaskProgressDocument), variables: { id: 'x' } });
      const error = await waitFor(() => raw.messages.find((message) => message.type === 'error'), {
        what: 'the error message',
      });
      expect((error.payload as { extensions: { code: string } }[])[0]!.extensions.code).toBe(
        'GRAPHQL_VALIDATION_FAILED',
      );
    } finally {
      raw.socket.close();
    }
  });
});

describe('the manifests of other frontends (TRUSTED_DOCUMENTS_MANIFESTS)', () => {
  let stack: TestStack;
  let dir: string;
  const text = 'query OtherFrontend { workers { name } }';
  const id = `sha256:${sha256(text)}`;

  beforeAll(async () => {
    stack = await createTestStack();
    dir = mkdtempSync(join(tmpdir(), 'manifests-'));
  });
  afterAll(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const manifest = (name: string, content: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(content));
    return file;
  };
  const only = (manifests: string[]): ApiOverrides => ({ trustedDocuments: { mode: 'only', manifests } });

  it("should serve their documents by id beside the project's own", async () => {
    const api = await stack.startApi(only([manifest('other.json', { [id]: text })]));
    const other = await postGraphQL(api.url, { documentId: id });
    expect(other.body).toEqual({ data: { workers: expect.any(Array) } });
    const own = await postGraphQL(api.url, { documentId: idOf(CliTasksDocument), variables: { first: 1 } });
    expect(own.body.errors).toBeUndefined();
    await api.close();
  });

  it("should find the project's own manifests keyed by the SHA-256 of each document's text", () => {
    const ownManifest = JSON.parse(
      readFileSync(join(projectDir, 'cli/graphql/generated/persisted-documents.json'), 'utf8'),
    ) as Record<string, string>;
    const ownId = idOf(CliWorkersDocument);
    expect(ownId).toBe(`sha256:${sha256(ownManifest[ownId]!)}`);
  });

  it.each([
    ['a file that is not there', () => join(dir, 'missing.json'), /ENOENT/],
    ["an id that is not its document's hash", () => manifest('edited.json', { [id]: `${text} ` }), /not the SHA-256/],
    [
      'a document the schema does not validate',
      () => {
        const stale = '{ workers { nickname } }';
        return manifest('stale.json', { [`sha256:${sha256(stale)}`]: stale });
      },
      /Cannot query field "nickname"/,
    ],
    ['what is not a manifest', () => manifest('list.json', [text]), /JSON object/],
  ])('should stop the start on %s, naming the variable and the file', async (_what, file, reason) => {
    const path = file();
    const start = stack.startApi(only([path]));
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(`TRUSTED_DOCUMENTS_MANIFESTS: ${path}`);
    await expect(start).rejects.toThrow(reason);
  });

  it('should refuse a mode it does not know, and manifests with TRUSTED_DOCUMENTS=off', () => {
    expect(() => parseApiConfig({ TRUSTED_DOCUMENTS: 'strict' })).toThrow(
      /TRUSTED_DOCUMENTS: must be off, accept or only/,
    );
    expect(() => parseApiConfig({ TRUSTED_DOCUMENTS: 'off', TRUSTED_DOCUMENTS_MANIFESTS: 'a.json' })).toThrow(
      /TRUSTED_DOCUMENTS_MANIFESTS, TRUSTED_DOCUMENTS: manifests are served only/,
    );
  });
});

describe('GET /graphql/schema.graphql', () => {
  let stack: TestStack;
  let api: TestApi;
  const secret = 'a-secret-of-at-least-thirty-two-characters';

  beforeAll(async () => {
    stack = await createTestStack();
    api = await stack.startApi({ auth: { jwtSecret: secret }, trustedDocuments: { mode: 'only' } });
  });
  afterAll(() => stack.close());

  it('should serve the committed schema.graphql, as text, with an ETag, and no token', async () => {
    const response = await fetch(`${api.url}/graphql/schema.graphql`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toBe(readFileSync(join(projectDir, 'schema.graphql'), 'utf8'));
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${api.url}/graphql/schema.graphql`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // GraphQL itself still wants the token.
    const graphql = await get(api.url, { documentId: idOf(CliWorkersDocument) });
    expect(graphql.status).toBe(401);
  });

  it('should answer 405 to anything but GET and HEAD', async () => {
    const response = await fetch(`${api.url}/graphql/schema.graphql`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});
