import type { ServerResponse } from 'node:http';
import { sendText } from './send.js';

const READY_TIMEOUT_MS = 1_000;

/** `/healthz`: the process lives. */
export function healthz(res: ServerResponse): void {
  sendText(res, 200, 'ok');
}

/** `/readyz`: 200 while `reachRedis` answers within a second (every partition's Redis), else 503. */
export function createReadyz(reachRedis: () => Promise<unknown>) {
  return async function readyz(res: ServerResponse): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS);
    });
    const ready = await Promise.race([reachRedis(), timeout]).then(
      () => true,
      () => false,
    );
    clearTimeout(timer);
    sendText(res, ready ? 200 : 503, ready ? 'ready' : 'Redis does not answer');
  };
}
