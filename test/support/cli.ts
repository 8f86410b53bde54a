import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, startEntryPoint } from '../../testbed/processes.js';
import { projectDir } from './stack.js';
import { waitFor } from '../../testbed/wait.js';

export const cliBin = join(projectDir, 'bin', 'task-service.js');

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** Unsets the variables of the test's own environment that would point the command line elsewhere. */
const unsetTarget = { TASK_SERVICE_URL: undefined, TASK_SERVICE_TOKEN: undefined };

/** `task-service ARGS` in a process of its own, its output through pipes (not a terminal). */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const { child, stdout, stderr, exited } = startEntryPoint(cliBin, args, { env: { ...unsetTarget, ...env } });
  return { child, stdout, stderr, exited };
}

/** Runs it to its end, killing it after `timeoutMs`: its exit code and output. */
export async function runCli(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 20_000) {
  const run = startCli(args, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

export interface Terminal {
  /** What the screen shows now, a string per line, without trailing blanks. */
  screen(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A command in a real terminal: a tmux server of its own (its socket in a temporary folder), one
 * window of `columns` x `rows`. The shell prints `EXIT=<code>` after it, and the window stays until
 * close().
 */
export async function inTerminal(command: string, { columns = 100, rows = 12 } = {}): Promise<Terminal> {
  const dir = mkdtempSync(join(tmpdir(), 'task-service-tmux-'));
  const socket = join(dir, 'socket');
  const tmux = async (...args: string[]) => {
    const result = await runProcess('tmux', ['-S', socket, ...args], { timeoutMs: 10_000 });
    if (result.code !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  };
  const close = async () => {
    await tmux('kill-server').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const window = ['-x', String(columns), '-y', String(rows)];
  try {
    await tmux(
      'new-session',
      '-d',
      ...window,
      `cd ${JSON.stringify(projectDir)} && ${command}; echo EXIT=$?; sleep 600`,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return {
    screen: async () => (await tmux('capture-pane', '-p')).split('\n').map((line) => line.trimEnd()),
    close,
  };
}

/** Waits until the terminal's command has ended; answers its exit code and each screen seen meanwhile. */
export async function terminalEnd(terminal: Terminal, timeoutMs = 20_000) {
  const screens: string[][] = [];
  const code = await waitFor(
    async () => {
      const screen = await terminal.screen();
      screens.push(screen);
      const match = screen.map((line) => /^EXIT=(\d+)$/.exec(line)).find(Boolean);
      return match ? Number(match[1]) : undefined;
    },
    { timeoutMs, everyMs: 100, what: 'the command in the terminal to end' },
  );
  return { code, screens, screen: screens.at(-1)! };
}
