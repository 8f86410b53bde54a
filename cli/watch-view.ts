import cliProgress from 'cli-progress';
import { describeError, type CliError } from './errors.js';
import { logDocument, logLine, outcome, progressLine, shortId, type CliTask } from './format.js';
import { printable } from './printable.js';
import type { CliLogLine } from './task-logs.js';

export interface Output {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

/**
 * How the watch of one task ended: the task in its last state and its log (or why the log could not
 * be read), or why the task could not be followed.
 */
export type WatchEnd = { task: CliTask; logs: readonly CliLogLine[]; logsError?: CliError } | { error: CliError };

/** Why a task's log is missing from the end of its watch, for stderr. */
const logsMissing = (id: string, error: CliError) =>
  `task-service: ${shortId(id)}: could not read its log: ${describeError(error)}\n`;

/** What the person or script watching sees of the tasks followed. */
export interface WatchView {
  /** A task as it is now: the first snapshot, then each change. */
  update(task: CliTask): void;
  /** The watch of a task is over. */
  end(id: string, end: WatchEnd): void;
  /** Every watch is over, or was interrupted: the screen is left as it ends. */
  close(): void;
}

/** On a terminal: a bar per task, redrawn in place, then what each task ended with. */
export function terminalView({ stdout, stderr }: Output): WatchView {
  const multibar = new cliProgress.MultiBar({
    stream: stdout,
    format: '{label} |{bar}| {percentage}% | {steps} | {state}',
    barsize: 30,
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    hideCursor: true,
    clearOnComplete: false,
    autopadding: true,
  });
  const bars = new Map<string, cliProgress.SingleBar>();
  const endings: { id: string; end: WatchEnd }[] = [];
  let closed = false;
  return {
    update(task) {
      const payload = {
        label: `${printable(task.name)} ${shortId(task.id)}`,
        steps: `${task.current}/${task.total}`,
        state: task.state,
      };
      const bar = bars.get(task.id);
      if (bar) bar.update(task.progress, payload);
      else bars.set(task.id, multibar.create(100, task.progress, payload));
    },
    end(id, end) {
      endings.push({ id, end });
    },
    close() {
      if (closed) return;
      closed = true;
      // Lines written while the bars are drawn would be drawn over: each ending comes after them.
      if (bars.size > 0) multibar.stop();
      // In the order of the bars above them; tasks that never had one last.
      const order = [...bars.keys()];
      const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
      for (const { id, end } of endings.sort((a, b) => rank(a.id) - rank(b.id))) {
        if ('task' in end) {
          stdout.write(`${printable(end.task.name)} ${shortId(id)} ${outcome(end.task)}\n`);
          for (const line of end.logs) stdout.write(`  ${logLine(line)}\n`);
          if (end.logsError) stderr.write(logsMissing(id, end.logsError));
        } else stderr.write(`task-service: ${shortId(id)}: ${describeError(end.error)}\n`);
      }
    },
  };
}

/**
 * Not on a terminal: a line for each change, then each task's log lines (after its id), then a
 * line for what it ended with, last.
 */
export function lineView({ stdout, stderr }: Output): WatchView {
  const last = new Map<string, string>();
  return {
    update(task) {
      const line = progressLine(task);
      // After a reconnect the server sends the task again: a line only for what changed.
      if (last.get(task.id) === line) return;
      last.set(task.id, line);
      stdout.write(`${line}\n`);
    },
    end(id, end) {
      const shown = printable(id);
      if ('task' in end) {
        for (const line of end.logs) stdout.write(`${shown} ${logLine(line)}\n`);
        if (end.logsError) stderr.write(logsMissing(id, end.logsError));
        stdout.write(`${shown} ${outcome(end.task)}\n`);
      } else stderr.write(`task-service: ${shown}: ${describeError(end.error)}\n`);
    },
    close() {},
  };
}

/**
 * --json: each change as one JSON document on a line of its own, then each log line (with its
 * `taskId`); errors likewise on stderr.
 */
export function jsonView({ stdout, stderr }: Output): WatchView {
  return {
    update(task) {
      stdout.write(`${JSON.stringify(task)}\n`);
    },
    end(id, end) {
      if ('error' in end) return void stderr.write(`${JSON.stringify({ id, error: end.error })}\n`);
      for (const line of end.logs) stdout.write(`${JSON.stringify(logDocument(id, line))}\n`);
      if (end.logsError) stderr.write(`${JSON.stringify({ id, error: end.logsError })}\n`);
    },
    close() {},
  };
}
