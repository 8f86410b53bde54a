/**
 * Every child process that `npm start`, the tests and the benchmarks start: the project's own entry
 * points, redis-server and the tools they drive (haproxy, npm, kubectl, tmux). What each prints is
 * kept for the error message of a failed start, and stopping one waits for its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { projectRoot } from '../core/project-root.js';

export const projectDir = projectRoot(import.meta.url);

/**
 * Where one of its output streams goes: kept (read it with `output()`), passed on to this process's
 * own, dropped, or handed over line by line.
 */
export type OutputMode = 'capture' | 'inherit' | 'ignore' | ((line: string) => void);

export interface ProcessOptions {
  /** @defaultValue the project's root */
  cwd?: string;
  /** Its whole environment. @defaultValue this process's */
  env?: NodeJS.ProcessEnv;
  /** @defaultValue 'capture' */
  stdout?: OutputMode;
  /** @defaultValue 'capture' */
  stderr?: OutputMode;
  /** An IPC channel, as fork() opens: `child.send` and its `message` events. @defaultValue false */
  ipc?: boolean;
  /**
   * A process group of its own, stopped whole with whatever it starts in turn: for a process a test
   * SIGKILLs. Otherwise it stays in this process's group, where a terminal's Ctrl-C and hang-up
   * reach it as they reach this process. @defaultValue false
   */
  ownGroup?: boolean;
}

export interface RunningProcess {
  child: ChildProcess;
  /** Everything kept so far, stdout and stderr together in the order they came. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Its exit code: null when a signal ended it, or when it could not start at all (see `error()`). */
  exited: Promise<number | null>;
  /** Why it could not start (its program not on the PATH, say). */
  error(): Error | null;
  running(): boolean;
  /** Sends `signal` to it (to its group when it has its own). */
  kill(signal?: NodeJS.Signals): void;
  /** `signal`, then SIGKILL after `graceMs` if it still runs; resolves once it has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** SIGKILLs what still runs. */
  close(): Promise<void>;
}

function stdioOf(mode: OutputMode): 'pipe' | 'inherit' | 'ignore' {
  return mode === 'inherit' || mode === 'ignore' ? mode : 'pipe';
}

export function startProcess(command: string, args: readonly string[], options: ProcessOptions = {}): RunningProcess {
  const { cwd = projectDir, env = process.env, stdout = 'capture', stderr = 'capture' } = options;
  const { ipc = false, ownGroup = false } = options;
  const child = spawn(command, args, {
    cwd,
    env,
    stdio: ['ignore', stdioOf(stdout), stdioOf(stderr), ...(ipc ? ['ipc' as const] : [])],
    detached: ownGroup,
  });
  const kept = { stdout: '', stderr: '', both: '' };
  const follow = (stream: Readable | null, mode: OutputMode, name: 'stdout' | 'stderr') => {
    if (!stream) return;
    if (typeof mode === 'function') {
      createInterface({ input: stream }).on('line', mode);
      return;
    }
    stream.on('data', (chunk: Buffer) => {
      kept[name] += chunk.toString();
      kept.both += chunk.toString();
    });
  };
  follow(child.stdout, stdout, 'stdout');
  follow(child.stderr, stderr, 'stderr');

  let failed: Error | null = null;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      // Its last lines may still be in the pipes: wait for their end ('close'), but not for a
      // grandchild that holds them open (esbuild's service, under tsx or Vite) to go too.
      const timer = setTimeout(() => resolve(code), 1_000);
      child.once('close', () => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    child.once('error', (error) => {
      failed = error;
      resolve(null);
    });
  });
  const running = () => !failed && child.exitCode === null && child.signalCode === null;
  const kill = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!running()) return;
    try {
      if (ownGroup) process.kill(-child.pid!, signal);
      else child.kill(signal);
    } catch {
      // It exited meanwhile.
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000) => {
    if (!running()) return;
    kill(signal);
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    child,
    output: () => kept.both,
    stdout: () => kept.stdout,
    stderr: () => kept.stderr,
    exited,
    error: () => failed,
    running,
    kill,
    stop,
    close: () => stop('SIGKILL'),
  };
}

export interface FinishedProcess {
  /** Its exit code; null when a signal ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

/** Runs a command to its end, killing it after `timeoutMs`; rejects when it cannot start. */
export async function runProcess(
  command: string,
  args: readonly string[],
  { timeoutMs = 60_000, ...options }: ProcessOptions & { timeoutMs?: number } = {},
): Promise<FinishedProcess> {
  const running = startProcess(command, args, options);
  const timer = setTimeout(() => running.kill('SIGKILL'), timeoutMs);
  const code = await running.exited;
  clearTimeout(timer);
  const failed = running.error();
  if (failed) throw failed;
  return { code, stdout: running.stdout(), stderr: running.stderr(), output: running.output() };
}

/** Whether `command` can be started at all (it is on the PATH and runs `args`). */
export function isInstalled(command: string, args: readonly string[] = ['--version']): Promise<boolean> {
  return runProcess(command, args, { stdout: 'ignore', stderr: 'ignore', timeoutMs: 10_000 }).then(
    () => true,
    () => false,
  );
}

/**
 * With BENCH_PROFILE_DIR set, every project process the benchmarks start writes a V8 CPU profile
 * there when it exits (open it in Chrome DevTools, or summarise it with `npm run profile-summary -- FILE`).
 */
export function profileArgs(): string[] {
  const profileDir = process.env.BENCH_PROFILE_DIR;
  return profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
}

export interface EntryPointOptions extends Omit<ProcessOptions, 'env'> {
  /** Variables on top of this process's environment. */
  env?: Record<string, string | undefined>;
  /** Node's own options before the entry point (`--inspect=…`). */
  nodeOptions?: readonly string[];
}

/**
 * Starts an entry point of the project in a process of its own: a TypeScript file through tsx, as
 * the npm scripts do, or a compiled .js file with plain node.
 */
export function startEntryPoint(
  entry: string,
  args: readonly string[] = [],
  { env = {}, nodeOptions = [], ...options }: EntryPointOptions = {},
): RunningProcess {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return startProcess(process.execPath, [...profileArgs(), ...nodeOptions, ...loader, entry, ...args], {
    ...options,
    env: { ...process.env, ...env },
  });
}
