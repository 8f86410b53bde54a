import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectDir } from './stack.js';
import { waitFor } from './wait.js';

export const cliBin = join(projectDir, 'bin', 'task-service.js');

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** Variables of the test's own environment that would point the command line elsewhere. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.TASK_SERVICE_URL;
  delete base.TASK_SERVICE_TOKEN;
  return { ...base, ...env };
}

/** `task-service ARGS` in a process of its own, its output through pipes (not a terminal). */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [cliBin, ...args], {
    cwd: projectDir,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
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
  screen(): string[];
  close(): void;
}

/**
 * A command in a real terminal: a tmux server of its own (its socket in a temporary folder), one
 * window of `columns` x `rows`. The shell prints `EXIT=<code>` after it, and the window stays until
 * close().
 */
export function inTerminal(command: string, { columns = 100, rows = 12 } = {}): Terminal {
  const dir = mkdtempSync(join(tmpdir(), 'task-service-tmux-'));
  const socket = join(dir, 'socket');
  const tmux = (...args: string[]) => {
    const result = spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  };
  const close = () => {
    spawnSync('tmux', ['-S', socket, 'kill-server'], { timeout: 10_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  const window = ['-x', String(columns), '-y', String(rows)];
  try {
    tmux('new-session', '-d', ...window, `cd ${JSON.stringify(projectDir)} && ${command}; echo EXIT=$?; sleep 600`);
  } catch (error) {
    close();
    throw error;
  }
  return {
    screen: () =>
      tmux('capture-pane', '-p')
        .split('\n')
        .map((line) => line.trimEnd()),
    close,
  };
}

/** Waits until the terminal's command has ended; answers its exit code and each screen seen meanwhile. */
export async function terminalEnd(terminal: Terminal, timeoutMs = 20_000) {
  const screens: string[][] = [];
  const code = await waitFor(
    () => {
      const screen = terminal.screen();
      screens.push(screen);
      const match = screen.map((line) => /^EXIT=(\d+)$/.exec(line)).find(Boolean);
      return match ? Number(match[1]) : undefined;
    },
    { timeoutMs, everyMs: 100, what: 'the command in the terminal to end' },
  );
  return { code, screens, screen: screens.at(-1)! };
}
