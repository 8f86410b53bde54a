import { startEntryPoint as startProjectEntryPoint, type RunningProcess } from '../../testbed/processes.js';

export { freePort, freePorts } from '../../testbed/ports.js';
export type { RunningProcess };

/** An entry point of the project, as deployed: NODE_ENV=test (set by Vitest) changes the defaults of some libraries. */
export function startEntryPoint(entry: string, env: Record<string, string> = {}): RunningProcess {
  return startProjectEntryPoint(entry, [], {
    env: { NODE_ENV: 'production', LOG_FORMAT: 'json', ...env },
    ownGroup: true, // so that the test can stop everything it starts
  });
}

/** Runs an entry point to its end (a failed start), killing it after `timeoutMs`. */
export async function runEntryPoint(entry: string, env: Record<string, string>, timeoutMs = 15_000) {
  const running = startEntryPoint(entry, env);
  const timer = setTimeout(() => running.kill('SIGKILL'), timeoutMs);
  const code = await running.exited;
  clearTimeout(timer);
  return { code, output: running.output() };
}
