import { setTimeout as sleep } from 'node:timers/promises';
import { isFailoverAnswer } from '../core/failover-errors.js';
import type { Logger } from '../core/logger.js';

/** A failover takes seconds (a cluster's node timeout, Sentinel's down-after time, then the election). */
const RETRY_FOR_MS = 30_000;
const FIRST_PAUSE_MS = 100;
const LONGEST_PAUSE_MS = 1_000;

/**
 * The same object, each of its methods sent again while Redis answers that a failover is under way
 * (core/failover-errors.ts: the command did not run), for up to 30 s, pausing longer each time. A
 * running task's step or end then waits for the new master instead of failing the task.
 */
export function retryingDuringFailover<T extends object>(target: T, logger: Logger): T {
  const wrapped = { ...target } as Record<string, unknown>;
  for (const [name, method] of Object.entries(target)) {
    if (typeof method !== 'function') continue;
    wrapped[name] = async (...args: unknown[]) => {
      const deadline = Date.now() + RETRY_FOR_MS;
      for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
        try {
          return await (method as (...args: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (error) {
          if (!isFailoverAnswer(error) || Date.now() + pause > deadline) throw error;
          logger.debug({ err: (error as Error).message, call: name }, 'Redis is failing over: sending again');
          await sleep(pause);
        }
      }
    };
  }
  return wrapped as T;
}
