import type { IncomingMessage, ServerResponse } from 'node:http';

/** How long a browser may reuse a preflight's answer (Chromium caps it at two hours). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** True for an origin as a browser sends it: scheme, host and port only, such as https://app.example.com. */
export function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * CORS for /graphql: pages on the listed origins may call the API from a browser; every other page
 * (there is no list by default) gets no CORS header, so the browser keeps the answer from it. Pages
 * the API serves itself are same-origin and need none. Apollo's CSRF prevention still applies on top:
 * a cross-origin request must be one that a browser preflights.
 *
 * Answers true when it has answered the request (a preflight).
 */
export function createCors(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);

  return function cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const isAllowed = origin !== undefined && allowed.has(origin);
    const preflight = req.method === 'OPTIONS';
    // Caches must not give one origin's answer to another.
    if (allowed.size > 0) res.setHeader('vary', preflight ? 'Origin, Access-Control-Request-Headers' : 'Origin');
    if (isAllowed) res.setHeader('access-control-allow-origin', origin);
    if (!preflight) return false;

    if (isAllowed) {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      // The page's own headers (content-type, apollo-require-preflight, ...): it is trusted.
      const requested = req.headers['access-control-request-headers'];
      if (requested) res.setHeader('access-control-allow-headers', requested);
      res.setHeader('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
    }
    res.writeHead(204, { 'content-length': '0' });
    res.end();
    return true;
  };
}
