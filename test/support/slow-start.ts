/**
 * An entry point whose start takes a while, for test/entry-point.test.ts: it says when its start
 * begins and ends, and when it is closed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runUntilSignal } from '../../core/entry-point.js';

await runUntilSignal(
  async () => {
    process.stdout.write('starting\n');
    await sleep(Number(process.env.START_MS ?? 1_500));
    process.stdout.write('started\n');
    const serving = setInterval(() => undefined, 1_000); // what a server's socket would keep alive
    return {
      close: async () => {
        clearInterval(serving);
        process.stdout.write('closed\n');
      },
      stopDeadlineMs: 5_000,
    };
  },
  { logger: () => undefined },
);
