import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { printTaskSchema } from '../graphql/schema.js';
import { sendText } from './send.js';

/**
 * `GET /graphql/schema.graphql`: the schema in SDL, printed from the running schema as
 * schema.graphql is (so the two are the same text), for codegen and other tools: where
 * TRUSTED_DOCUMENTS=only refuses introspection sent as text, this is how they get the schema. It
 * asks for no token (docs/graphql-api.md, "Trusted documents", says why). An ETag lets a tool ask again for free.
 */
export function createSchemaSdl(schema: GraphQLSchema) {
  const body = printTaskSchema(schema);
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  const headers = {
    'content-type': 'text/plain; charset=utf-8',
    etag,
    // Kept, and asked again each time: a new deployment may bring a new schema.
    'cache-control': 'no-cache',
  };

  return function schemaSdl(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendText(res, 405, 'The schema is read with GET');
    }
    const known = req.headers['if-none-match']?.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    if (known?.includes(etag) || known?.includes('*')) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
