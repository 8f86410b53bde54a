import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../../core/logger.js';
import { createCors } from './cors.js';
import { HttpError } from './http-error.js';
import { answerThenClose } from './lingering-close.js';
import { sendText } from './send.js';

export interface Routes {
  /** GraphQL over HTTP (POST, and GET for queries); `search` is the query string. */
  graphql(req: IncomingMessage, res: ServerResponse, search: string): Promise<void>;
  /** A file of the browser bundle. */
  staticFile(res: ServerResponse, path: string): Promise<void>;
  healthz(res: ServerResponse): void;
  readyz(res: ServerResponse): Promise<void>;
  /** Prometheus' scrape. */
  metrics(res: ServerResponse): Promise<void>;
  /** The schema in SDL (GET /graphql/schema.graphql). */
  schema(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * The whole HTTP surface on a bare node:http server: GraphQL (with CORS), the playground for a
 * browser asking for /graphql, the schema in SDL, the dashboard's files, the health checks and the
 * metrics.
 */
export function createRequestListener(
  routes: Routes,
  { corsOrigins, logger }: { corsOrigins: readonly string[]; logger: Logger },
): RequestListener {
  const cors = createCors(corsOrigins);

  async function route(req: IncomingMessage, res: ServerResponse) {
    // What nearly every request is needs no URL parsed.
    if (req.method === 'POST' && req.url === '/graphql') {
      cors(req, res); // sets its headers; only a preflight (OPTIONS) is answered by it
      return routes.graphql(req, res, '');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return routes.healthz(res);
    if (url.pathname === '/readyz') return routes.readyz(res);
    if (url.pathname === '/metrics') return routes.metrics(res);
    if (url.pathname === '/graphql/schema.graphql') return routes.schema(req, res);
    if (url.pathname === '/graphql') {
      if (cors(req, res)) return;
      const wantsPage =
        req.method === 'GET' && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html');
      return wantsPage ? routes.staticFile(res, '/playground.html') : routes.graphql(req, res, url.search);
    }
    if (req.method === 'GET' || req.method === 'HEAD') return routes.staticFile(res, url.pathname);
    sendText(res, 404, 'Not found');
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        // Refused before its body was read to the end (too large): the rest is not worth reading.
        if (!req.complete) return answerThenClose(req, res, error.status, error.message);
        return sendText(res, error.status, error.message);
      }
      logger.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
  };
}
