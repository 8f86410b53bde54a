import { spawn, type ChildProcess } from 'node:child_process';
import { projectDir } from './stack.js';

export { freePort, freePorts } from '../../testbed/ports.js';

export interface RunningProcess {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr together. */
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Starts an entry point of the project in its own process: a TypeScript file through tsx, as the
 * npm scripts do, or a compiled .js file with plain node.
 */
export function startEntryPoint(entry: string, env: Record<string, string> = {}): RunningProcess {
  const args = entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry];
  const child = spawn(process.execPath, args, {
    cwd: projectDir,
    // As deployed: NODE_ENV=test (set by Vitest) changes the defaults of some libraries.
    env: { ...process.env, NODE_ENV: 'production', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the test can stop everything it starts
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Runs an entry point to its end (a failed start), killing it after `timeoutMs`. */
export async function runEntryPoint(entry: string, env: Record<string, string>, timeoutMs = 15_000) {
  const running = startEntryPoint(entry, env);
  const timer = setTimeout(() => process.kill(-running.child.pid!, 'SIGKILL'), timeoutMs);
  const code = await running.exited;
  clearTimeout(timer);
  return { code, output: running.output() };
}
