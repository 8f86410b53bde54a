import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { sendText } from './send.js';

const READY_TIMEOUT_MS = 1_000;

/** `/healthz`: the process lives. */
export function healthz(res: ServerResponse): void {
  sendText(res, 200, 'ok');
}

/** `/readyz`: 200 while Redis answers within a second, else 503. */
export function createReadyz(redis: Redis) {
  return async function readyz(res: ServerResponse): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS);
    });
    const ready = await Promise.race([redis.ping(), timeout]).then(
      () => true,
      () => false,
    );
    clearTimeout(timer);
    sendText(res, ready ? 200 : 503, ready ? 'ready' : 'Redis does not answer');
  };
}
