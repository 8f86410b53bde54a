import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the rest of a refused body may cost before its connection is closed: whichever comes first. */
export interface DrainBounds {
  /** Bytes read and thrown away after the answer. */
  bytes: number;
  /** Milliseconds after the answer. */
  ms: number;
}

/**
 * Enough for what a client still has in flight when it is refused (it stops sending once it reads
 * the answer), and for a client that reads only after sending a body ten times the largest accepted;
 * nothing is kept, so what a client can make the API do with it is read 10 MB, once per refusal.
 */
export const REFUSED_BODY_DRAIN: DrainBounds = {
  bytes: 10_000_000, // 10 MB
  ms: 5_000, // 5 seconds
};

/**
 * Answers a request refused before its body was read to the end (413), then closes its connection
 * as RFC 9112 §9.6 asks: `Connection: close`, then the rest of the body read and thrown away until
 * it ends, the client closes, or either bound is reached. A connection closed while the client is
 * still sending is reset by the kernel, and a client still writing then loses the answer (ECONNRESET).
 */
export function answerThenClose(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  { bytes, ms }: DrainBounds = REFUSED_BODY_DRAIN,
): void {
  const body = Buffer.from(message);
  res.writeHead(status, {
    connection: 'close',
    'content-type': 'text/plain; charset=utf-8',
    'content-length': body.length,
  });
  // The whole answer, but the response is ended only once the body has been drained: node closes a
  // connection as soon as its last response ends.
  res.write(body);
  let discarded = 0;
  const discard = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded >= bytes) close();
  };
  const close = () => {
    req.off('data', discard).off('end', close);
    res.end();
  };
  const timer = setTimeout(close, ms);
  req.on('data', discard).once('end', close);
  res.once('close', () => clearTimeout(timer));
  req.resume();
}
