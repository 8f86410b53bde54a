import { describe, expect, it } from 'vitest';
import { againOnNoScript, isFailoverAnswer } from '../core/failover-errors.js';
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
      // ioredis' Cluster client giving up after sending one of those again and again
      'Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down',
      'Too many Cluster redirections. Last error: ReplyError: TRYAGAIN x',
    ]) {
      expect(isFailoverAnswer(new Error(message)), message).toBe(true);
    }
    for (const message of [
      'Connection is closed.',
      'ERR unknown command',
      'NOSCRIPT',
      'moved',
      // a connection lost with the command on its way: it may have run
      'Too many Cluster redirections. Last error: Error: Connection is closed.',
    ]) {
      expect(isFailoverAnswer(new Error(message)), message).toBe(false);
    }
  });

  it('should make a script call again when Redis answers NOSCRIPT, a few times at most, and on no other error', async () => {
    let calls = 0;
    const noScript = new Error('NOSCRIPT No matching script. Please use EVAL.');
    expect(
      await againOnNoScript(async () => {
        if (++calls < 3) throw noScript;
        return 'ran';
      }),
    ).toBe('ran');
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      againOnNoScript(async () => {
        calls++;
        throw noScript;
      }),
    ).rejects.toThrow('NOSCRIPT');
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      againOnNoScript(async () => {
        calls++;
        throw new Error('ERR task exists');
      }),
    ).rejects.toThrow('ERR task exists');
    expect(calls).toBe(1);
  });
});
