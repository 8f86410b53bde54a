import { describe, expect, it } from 'vitest';
import { isFailoverAnswer } from '../core/failover-errors.js';
import { retryingDuringFailover } from '../worker/failover-retry.js';
import { logger } from './support/stack.js';

describe('sending again during a failover', () => {
  it('should send a call again while Redis answers that a failover is under way, and no other error', async () => {
    let calls = 0;
    const store = retryingDuringFailover(
      {
        async progress(step: number) {
          calls++;
          if (calls <= 2) throw new Error('MOVED 1739 127.0.0.1:40285');
          return step * 2;
        },
        async finish() {
          calls++;
          throw new Error('ERR task exists');
        },
      },
      logger,
    );
    expect(await store.progress(21)).toBe(42);
    expect(calls).toBe(3);

    calls = 0;
    await expect(store.finish()).rejects.toThrow('ERR task exists');
    expect(calls).toBe(1);
  });

  it('should know the answers of a command Redis did not run', () => {
    for (const message of [
      'MOVED 1 a:1',
      'ASK 1 a:1',
      'CLUSTERDOWN The cluster is down',
      'TRYAGAIN x',
      'READONLY x',
      'LOADING x',
      'MASTERDOWN x',
    ]) {
      expect(isFailoverAnswer(new Error(message)), message).toBe(true);
    }
    for (const message of ['Connection is closed.', 'ERR unknown command', 'NOSCRIPT', 'moved']) {
      expect(isFailoverAnswer(new Error(message)), message).toBe(false);
    }
  });
});
