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
  // Listening before the start: a signal during it (a worker already running its first tasks, a
  // deploy that changes its mind) waits for the start to end, then closes what it started, instead
  // of ending the process with nothing handed back.
  let stopping: NodeJS.Signals | null = null;
  let started: ((signal: NodeJS.Signals) => void) | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    // Ctrl-C in a terminal signals the whole process group, and `npm start` passes SIGTERM on too.
    if (stopping) return;
    stopping = signal;
    started?.(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

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
  const stop = (signal: NodeJS.Signals) => {
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
  if (stopping) stop(stopping);
  else started = stop;
}
