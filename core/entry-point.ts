import type { Logger } from './logger.js';

export interface Service {
  close(): Promise<void>;
  /** Milliseconds close() may take before the process gives up and exits 1. */
  stopDeadlineMs: number;
}

/**
 * Runs an entry point: starts it, and on SIGTERM or SIGINT closes it and exits 0, or 1 when closing
 * fails or takes longer than its deadline. A failed start exits 1 with the reason.
 */
export async function runUntilSignal(
  start: () => Promise<Service>,
  { logger }: { logger: () => Logger | undefined },
): Promise<void> {
  let service: Service;
  try {
    service = await start();
  } catch (error) {
    const log = logger();
    const message = error instanceof Error ? error.message : String(error);
    if (log) log.fatal({ err: error }, 'could not start');
    else process.stderr.write(`${message}\n`);
    process.exitCode = 1;
    // Let a pretty-printing log transport flush before the process ends.
    setTimeout(() => process.exit(1), 200).unref();
    return;
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // Ctrl-C in a terminal signals the whole process group, and `npm start` passes SIGTERM on too.
    if (stopping) return;
    stopping = true;
    logger()?.info({ signal }, 'stopping');
    setTimeout(() => {
      logger()?.error('did not stop in time');
      process.exit(1);
    }, service.stopDeadlineMs).unref();
    service.close().then(
      () => {
        logger()?.info('stopped');
        setTimeout(() => process.exit(0), 100).unref();
      },
      (error: unknown) => {
        logger()?.error({ err: error }, 'could not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
