import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { defineTask } from 'task-service';

/**
 * A kind that runs in a thread, for the tests of worker/thread-runs.ts (a thread loads a kind from
 * its file, so it has one of its own): each mode does one thing a run can do there.
 */
export default defineTask({
  name: 'thread_test_task',
  description: 'Does in a worker thread what its mode says.',
  input: z.object({ mode: z.enum(['spin', 'throw', 'unrecoverable', 'bad detail', 'write']) }),
  result: z.object({ threadId: z.int() }),
  progress: z.object({ stage: z.string() }),
  steps: () => 2,
  isolation: 'thread',
  retry: { attempts: 2, backoffMs: 50 },
  async run({ mode }, { progress, log, logger, attempt }) {
    const { threadId } = await import('node:worker_threads');
    await progress(1, { stage: 'started' });
    if (mode === 'spin') for (;;); // never yields: only terminating its thread stops it
    if (mode === 'throw') throw new Error(`attempt ${attempt} broke`);
    if (mode === 'unrecoverable') throw new UnrecoverableError('broke for good');
    if (mode === 'bad detail') await progress(2, { stage: 2 } as never);
    log(`a line from thread ${threadId}`, 'warn');
    logger.info({ threadId }, 'a line for the worker');
    await progress(2, { stage: 'done' });
    return { threadId };
  },
});
