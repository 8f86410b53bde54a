import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
 * A command in a real terminal: a tmux server of its own (`-L`), one window of `columns` x `rows`.
 * The shell prints `EXIT=<code>` after it, and the window stays until close().
 */
export function inTerminal(command: string, { columns = 100, rows = 12 } = {}): Terminal {
  const socket = `task-service-test-${randomUUID()}`;
  const tmux = (...args: string[]) => {
    const result = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 10_000 });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  };
  tmux(
    'new-session',
    '-d',
    '-x',
    String(columns),
    '-y',
    String(rows),
    `cd ${JSON.stringify(projectDir)} && ${command}; echo EXIT=$?; sleep 600`,
  );
  return {
    screen: () =>
      tmux('capture-pane', '-p')
        .split('\n')
        .map((line) => line.trimEnd()),
    close() {
      spawnSync('tmux', ['-L', socket, 'kill-server'], { timeout: 10_000 });
    },
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
