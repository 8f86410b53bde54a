import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { sendText } from './send.js';

const notBuilt = 'The dashboard and the playground are not built: run `npm run build:client` (npm start does it).';

/** Whether `dir` holds the built dashboard and playground, the pages the service serves from it. */
export function clientIsBuilt(dir: string): boolean {
  return ['index.html', 'playground.html'].every((page) => existsSync(join(dir, page)));
}

/**
 * What an entry point says once it listens at `url`: where the dashboard and the playground answer,
 * or, when they are not built (they would answer 503), where GraphQL does and how to build them.
 */
export function listeningNotice(url: string, dir: string): { level: 'info' | 'warn'; message: string } {
  if (clientIsBuilt(dir)) return { level: 'info', message: `dashboard at ${url}/ and playground at ${url}/graphql` };
  return { level: 'warn', message: `GraphQL at ${url}/graphql. ${notBuilt}` };
}

const contentTypes: ReadonlyMap<string, string> = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.json', 'application/json'],
  ['.woff2', 'font/woff2'],
  ['.ttf', 'font/ttf'],
]);

/**
 * The built browser bundle (dashboard and playground) from `dir`; hashed assets are cached for good,
 * pages are revalidated.
 */
export function createStaticFiles(dir: string) {
  return async function staticFile(res: ServerResponse, path: string): Promise<void> {
    const relative = normalize(path === '/' ? '/index.html' : path);
    if (relative.includes('..')) return sendText(res, 404, 'Not found');
    let file: Buffer;
    try {
      file = await readFile(join(dir, relative));
    } catch {
      if (extname(relative) === '.html') return sendText(res, 503, notBuilt);
      return sendText(res, 404, 'Not found');
    }
    res.writeHead(200, {
      'content-type': contentTypes.get(extname(relative)) ?? 'application/octet-stream',
      'cache-control': relative.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(file);
  };
}
