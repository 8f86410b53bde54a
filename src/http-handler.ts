import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { ExecutionResult } from 'graphql';
import type { Redis } from 'ioredis';
import Negotiator from 'negotiator';
import { withResult } from './apollo-executor.js';
import type { OperationCache } from './operation-cache.js';
import type { Logger } from '../core/logger.js';
import { clientAddress } from './client-address.js';
import { createCors } from './cors.js';
import type { Authenticator } from './auth.js';
import type { Caller, Context } from './graphql/context.js';

/** Larger GraphQL request bodies are refused with 413 (and larger graphql-ws messages close the socket). */
export const MAX_BODY_BYTES = 1_000_000;
const READY_TIMEOUT_MS = 1_000;

const notBuilt = 'The dashboard and the playground are not built: run `npm run build:client` (npm start does it).';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The body as text; events rather than `for await`, whose async iterator costs more per request,
 * and listeners made inline (no named closures: they are made once per request).
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > MAX_BODY_BYTES) return; // refused already: the rest is not kept
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    req.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref()),
  ]);
}

/** Apollo's answer types for a single result, in the order Apollo offers them to the accept header. */
const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';
const CALLBACK_TYPE = 'application/json; callbackSpec=1.0; charset=utf-8';
const ACCEPT_CACHE_SIZE = 100;

type Body = Record<string, unknown>;

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface HttpHandlerOptions {
  apollo: ApolloServer<Context>;
  /** The operations of Apollo's schema, parsed, validated and compiled once (the fast path). */
  operations: OperationCache;
  /** The context of one request, for its caller. */
  contextFor(caller: Caller): Context;
  /** Reads the caller's token (Authorization header); off, it lets everyone in as no one. */
  auth: Authenticator;
  /** Origins whose pages may call /graphql from a browser (see cors.ts). */
  corsOrigins: readonly string[];
  redis: Redis;
  /** The built browser bundle: the dashboard (`/`) and the playground (`GET /graphql` from a browser). */
  clientDir: string;
  logger: Logger;
}

/**
 * The whole HTTP surface on a bare node:http server: GraphQL through Apollo's own request
 * pipeline, the playground, the dashboard's files and the health checks.
 */
export function createHttpHandler({
  apollo,
  operations,
  contextFor,
  auth,
  corsOrigins,
  redis,
  clientDir,
  logger,
}: HttpHandlerOptions) {
  const cors = createCors(corsOrigins);

  /** The content type Apollo would answer a single result with, per accept header (as Apollo picks it). */
  const answerTypes = new Map<string, string | null>();
  function answerType(accept: string | undefined): string | null {
    if (!accept) return JSON_TYPE;
    let type = answerTypes.get(accept);
    if (type === undefined) {
      type =
        new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE_TYPE, CALLBACK_TYPE]) ?? null;
      if (answerTypes.size >= ACCEPT_CACHE_SIZE) answerTypes.clear();
      answerTypes.set(accept, type);
    }
    return type;
  }

  /**
   * The fast path, for what nearly every request is: a JSON POST of a query or mutation whose text
   * has been seen, parsed and validated before. It runs the operation as Apollo's executor does
   * (apollo-executor.ts) and, when the result has no errors, writes Apollo's answer itself: 200, the
   * content type Apollo negotiates, `{"data":...}`. This skips Apollo's work per request (hashing the
   * text, parsing content types, building its request context), which costs more than the
   * operation. Apollo's plugins here have no hooks per request, so none is skipped.
   *
   * Answers true when the answer is written; otherwise Apollo answers: with the result to format,
   * when the operation ran and has errors (it must not run twice), or from scratch (anything else:
   * other methods or bodies, unknown or invalid operations, a token that does not check out).
   */
  async function fastPath(
    req: IncomingMessage,
    res: ServerResponse,
    body: Body,
  ): Promise<true | { context: Context; result: ExecutionResult } | null> {
    const { query, variables, operationName, extensions } = body;
    if (typeof query !== 'string' || extensions != null) return null;
    if (variables != null && !isRecord(variables)) return null;
    if (operationName != null && typeof operationName !== 'string') return null;
    const type = answerType(req.headers.accept);
    if (type !== JSON_TYPE && type !== GRAPHQL_RESPONSE_TYPE) return null;
    const operation = operations.get(query, operationName ?? undefined);
    if (!operation) return null;
    let owner: string | null;
    try {
      owner = await auth.ownerOf(req.headers.authorization);
    } catch {
      return null;
    }
    const context = contextFor({ client: clientAddress(req.socket.remoteAddress), owner });
    const running = operation.run(context, variables);
    if (!running) return null;
    const result = await running;
    if (result.errors) return { context, result };
    const answer = `${JSON.stringify({ data: result.data, extensions: result.extensions })}\n`;
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(answer);
    return true;
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, search: string) {
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const text = await readBody(req);
      if ((req.headers['content-type'] ?? '').includes('json')) {
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          throw new HttpError(400, 'The request body is not valid JSON');
        }
      } else {
        body = text;
      }
    }
    const isJsonPost = req.method === 'POST' && /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '');
    const fast = isJsonPost && isRecord(body) ? await fastPath(req, res, body) : null;
    if (fast === true) return;

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
      context: async () =>
        fast
          ? withResult(fast.context, fast.result)
          : contextFor({
              client: clientAddress(req.socket.remoteAddress),
              owner: await auth.ownerOf(req.headers.authorization),
            }),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    // Task states change by the second: no answer may be cached (what Apollo's cache-control plugin
    // would say for this schema, without its cost per field).
    if (!response.headers.has('cache-control')) res.setHeader('cache-control', 'no-store');
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  /** Files of the built bundle; hashed assets are cached for good, pages are revalidated. */
  async function staticFile(res: ServerResponse, path: string) {
    const relative = normalize(path === '/' ? '/index.html' : path);
    if (relative.includes('..')) return send(res, 404, 'Not found');
    let file: Buffer;
    try {
      file = await readFile(join(clientDir, relative));
    } catch {
      if (extname(relative) === '.html') return send(res, 503, notBuilt);
      return send(res, 404, 'Not found');
    }
    res.writeHead(200, {
      'content-type': contentTypes[extname(relative)] ?? 'application/octet-stream',
      'cache-control': relative.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(file);
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    // What nearly every request is needs no URL parsed.
    if (req.method === 'POST' && req.url === '/graphql') {
      cors(req, res); // sets its headers; only a preflight (OPTIONS) is answered by it
      return graphql(req, res, '');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return send(res, 200, 'ok');
    if (url.pathname === '/readyz') {
      const ready = await withTimeout(redis.ping(), READY_TIMEOUT_MS).then(
        () => true,
        () => false,
      );
      return send(res, ready ? 200 : 503, ready ? 'ready' : 'Redis does not answer');
    }
    if (url.pathname === '/graphql') {
      if (cors(req, res)) return;
      const wantsPage =
        req.method === 'GET' && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html');
      return wantsPage ? staticFile(res, '/playground.html') : graphql(req, res, url.search);
    }
    if (req.method === 'GET' || req.method === 'HEAD') return staticFile(res, url.pathname);
    send(res, 404, 'Not found');
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError && error.status === 413) {
        // The rest of the body is not worth reading: answer, then drop the connection.
        res.setHeader('connection', 'close');
        res.once('finish', () => req.destroy());
      }
      if (error instanceof HttpError) return send(res, error.status, error.message);
      logger.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.destroy();
    });
  };
}
