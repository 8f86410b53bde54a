import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import type { Context } from '../graphql/context.js';
import type { DocumentResolution } from '../graphql/trusted-documents.js';
import { HttpError } from './http-error.js';

/** Larger GraphQL request bodies are refused with 413 (and larger graphql-ws messages close the socket). */
export const MAX_BODY_BYTES = 1_000_000;

/** The body as text; past MAX_BODY_BYTES, refused (413) and what was read let go: the refusal drains the rest. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    req.on('data', function onData(chunk: Buffer) {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      chunks = [];
      reject(new HttpError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes`));
    });
    req.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', reject);
  });
}

async function parseBody(req: IncomingMessage): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  const text = await readBody(req);
  if (!(req.headers['content-type'] ?? '').includes('json')) return text;
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON');
  }
}

export interface GraphqlHandlerOptions {
  apollo: ApolloServer<Context>;
  /** The context of one request; throws UNAUTHENTICATED (answered 401) for a bad token. */
  contextFor(req: IncomingMessage): Promise<Context>;
  /**
   * The trusted document a request names by id, or why it is refused before its token is read or
   * anything of it parsed (http/trusted-documents-plugin.ts).
   */
  resolveDocument(request: HTTPGraphQLRequest): DocumentResolution;
  /** An answer larger than this is replaced by an error. */
  maxResponseBytes: number;
}

/**
 * GraphQL over HTTP on a bare node:http server, every request through Apollo's whole pipeline
 * (`executeHTTPGraphQLRequest`): its document store, validation, plugins, execution and error
 * formatting. The context, and so the token, comes first: nothing of a refused request is parsed.
 * Before it, the trusted documents' refusals (an unknown id, text where only ids are served).
 */
export function createGraphqlHandler({ apollo, contextFor, resolveDocument, maxResponseBytes }: GraphqlHandlerOptions) {
  const tooLarge = JSON.stringify({
    errors: [
      {
        message: `The answer is larger than ${maxResponseBytes} bytes: ask for fewer fields or a smaller page`,
        extensions: { code: 'RESPONSE_TOO_LARGE', maxBytes: maxResponseBytes },
      },
    ],
  });

  return async function graphql(req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
    const body = await parseBody(req);
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? 'GET', headers, search, body };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      // Apollo answers an error thrown here with its status, having run nothing.
      context: async () => {
        const resolution = resolveDocument(httpGraphQLRequest);
        if (resolution.kind === 'refused') throw resolution.error;
        const context = await contextFor(req);
        if (resolution.kind === 'trusted') context.trustedDocument = resolution.trusted;
        return context;
      },
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    // Task states change by the second: no answer may be cached (what Apollo's cache-control
    // plugin would say for this schema, without its cost per field).
    if (!response.headers.has('cache-control')) res.setHeader('cache-control', 'no-store');
    if (response.body.kind === 'complete') {
      if (response.body.string.length > maxResponseBytes) {
        res.statusCode = 400;
        res.end(tooLarge);
        return;
      }
      res.statusCode = response.status ?? 200;
      res.end(response.body.string);
      return;
    }
    res.statusCode = response.status ?? 200;
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
