import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, within } from '../testbed/wait.js';
import { startEntryPoint, type RunningProcess } from './support/processes.js';

describe('an entry point', () => {
  const running: RunningProcess[] = [];
  afterEach(() => Promise.all(running.splice(0).map((entry) => entry.stop())));

  it('should close what it started when a signal comes during its start, and exit 0', async () => {
    const entry = startEntryPoint('test/support/slow-start.ts');
    running.push(entry);
    await waitFor(() => entry.output().includes('starting'), { what: 'the start', timeoutMs: 15_000 });
    entry.kill('SIGTERM');
    expect(await within(entry.exited, 15_000, 'the exit')).toBe(0);
    expect(entry.output()).toBe('starting\nstarted\nclosed\n');
  });

  it('should close at once on a signal after its start', async () => {
    const entry = startEntryPoint('test/support/slow-start.ts', { START_MS: '0' });
    running.push(entry);
    await waitFor(() => entry.output().includes('started'), { what: 'the start', timeoutMs: 15_000 });
    entry.kill('SIGINT');
    expect(await within(entry.exited, 15_000, 'the exit')).toBe(0);
    expect(entry.output()).toBe('starting\nstarted\nclosed\n');
  });
});
