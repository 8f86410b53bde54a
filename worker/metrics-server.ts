import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import { sendMetrics } from '../core/metrics.js';

export interface MetricsServerOptions {
  register: Registry;
  host: string;
  port: number;
  /** Whether the worker can work now (its Redis connections are ready): what /readyz answers. */
  ready(): boolean;
  logger: Logger;
}

export interface MetricsServer {
  /** The port it listens on. */
  port: number;
  close(): Promise<void>;
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A worker's own small HTTP server, for Prometheus and the orchestrator: `/metrics`, `/healthz`
 * (200 while the process lives) and `/readyz` (200 while its Redis connections are ready, else 503).
 * Resolves once it listens.
 */
export async function createMetricsServer({
  register,
  host,
  port,
  ready,
  logger,
}: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/metrics') {
      sendMetrics(register, res).catch((error: unknown) => {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'metrics scrape failed');
        if (res.headersSent) res.destroy();
        else sendText(res, 500, 'Internal error');
      });
    } else if (path === '/healthz') sendText(res, 200, 'ok');
    else if (path !== '/readyz') sendText(res, 404, 'Not found');
    else if (ready()) sendText(res, 200, 'ready');
    else sendText(res, 503, 'Redis is not ready');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.warn({ err: error.message }, 'metrics server error'));
  const bound = (server.address() as AddressInfo).port;
  logger.info({ host, port: bound }, 'metrics, health and readiness served');

  let closing: Promise<void> | null = null;
  return {
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a scraper's kept-alive connection would hold close() open
      });
      return closing;
    },
  };
}
