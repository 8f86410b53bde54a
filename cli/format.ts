import type {
  CliQueueFragment,
  CliQueuesQuery,
  CliScheduleFragment,
  CliTaskFragment,
  CliWorkersQuery,
} from './graphql/generated/graphql.js';
import { printable } from './printable.js';
import type { CliLogLine } from './task-logs.js';

export type CliTask = CliTaskFragment;
export type CliWorker = CliWorkersQuery['workers'][number];
export type CliSchedule = CliScheduleFragment;
export type CliQueue = CliQueueFragment;

const TERMINAL_STATES = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

export function isTerminal(task: Pick<CliTask, 'state'>): boolean {
  return TERMINAL_STATES.has(task.state);
}

/** The start of an id, enough to tell tasks apart on a screen; the whole id is printed where it is created. */
export function shortId(id: string): string {
  return printable(id.length > 13 ? id.slice(0, 13) : id);
}

export function percent(task: Pick<CliTask, 'progress'>): string {
  return `${Math.floor(task.progress)}%`;
}

/** One line per change when the output is not a terminal: `ID NAME STATE 30% 3/10`. */
export function progressLine(task: CliTask): string {
  return printable(`${task.id} ${task.name} ${task.state} ${percent(task)} ${task.current}/${task.total}`);
}

/** `created sleep_task ID (queued, 0%)`, with the options that change when it runs. */
export function createdLine(task: CliTask): string {
  const details = [
    `${task.state.toLowerCase()}, ${percent(task)}`,
    startsAt(task) && `starts ${time(startsAt(task))} UTC`,
    task.priority !== null && `priority ${task.priority}`,
    task.timeoutSeconds !== null && `time limit ${task.timeoutSeconds}s`,
  ];
  return `created ${printable(task.name)} ${printable(task.id)} (${details.filter(Boolean).join('; ')})`;
}

/** A log line as the `logs` command prints it: `2026-01-31T12:00:03.123Z info  sleeping 10 s`. */
export function logLine({ at, level, message }: CliLogLine): string {
  return printable(`${at} ${level.padEnd(5)} ${message}`);
}

/** A log line as a JSON document, naming its task (a watch prints the lines of several). */
export function logDocument(taskId: string, line: CliLogLine) {
  return { taskId, ...line };
}

/** What a task ended with: its result, its error, or that it was cancelled. */
export function outcome(task: CliTask): string {
  switch (task.state) {
    case 'COMPLETED': {
      const result = resultText(task);
      return result ? `completed: ${result}` : 'completed';
    }
    case 'FAILED':
      return `failed: ${task.error === null ? 'no reason given' : printable(task.error)}`;
    case 'CANCELLED':
      return 'cancelled';
    default:
      return `${task.state.toLowerCase()} (${percent(task)})`;
  }
}

/**
 * A result in a few words, from `output`, whatever the kind: a result of one field as its value
 * (`ok`), of several as `name: value` each (`operation: SUM, value: 3, count: 2`), as the dashboard
 * shows it. Printable: the values are the server's.
 */
export function resultText(task: Pick<CliTask, 'output'>): string {
  const { output } = task;
  if (output === null || output === undefined) return '';
  if (typeof output !== 'object' || Array.isArray(output)) return printable(valueText(output));
  const fields = Object.entries(output);
  if (fields.length === 1) return printable(valueText(fields[0]![1]));
  return printable(fields.map(([name, value]) => `${name}: ${valueText(value)}`).join(', '));
}

/** A value of a result: lists joined, objects as JSON. */
function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** `1h 2m 3s`, `4m 0s`, `12s`. */
export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  if (h > 0) return `${h}h ${m}m ${s}s`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

/** `2026-01-31 12:00:03` from an ISO-8601 time in UTC. */
function time(iso: string | null): string {
  return iso ? printable(iso.replace('T', ' ').slice(0, 19)) : '-';
}

/** Columns padded to their widest cell; the last one is left as it is. Every cell is made printable. */
export function table(cells: readonly (readonly string[])[]): string {
  const rows = cells.map((row) => row.map(printable));
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function taskTable(tasks: readonly CliTask[]): string {
  const rows = tasks.map((task) => [
    task.id,
    task.name,
    task.state,
    task.priority === null ? '-' : String(task.priority),
    `${percent(task)} ${task.current}/${task.total}`,
    time(task.createdAt),
    time(task.finishedAt),
    task.state === 'COMPLETED' ? resultText(task) : (task.error ?? waitingText(task)),
  ]);
  return table([['ID', 'KIND', 'STATE', 'PRIORITY', 'PROGRESS', 'CREATED (UTC)', 'FINISHED (UTC)', 'RESULT'], ...rows]);
}

/** When a delayed task starts, while it still waits for that time; null for any other task. */
function startsAt(task: CliTask): string | null {
  return task.state === 'QUEUED' && task.runAt && Date.parse(task.runAt) > Date.now() ? task.runAt : null;
}

function waitingText(task: CliTask): string {
  const starts = startsAt(task);
  return starts ? `starts ${time(starts)}` : '';
}

export function workerTable(workers: readonly CliWorker[]): string {
  const rows = workers.map((worker) => [
    worker.name,
    `${worker.activeTasks}/${worker.concurrency}`,
    duration(worker.uptime),
    worker.taskNames.join(', '),
  ]);
  return table([['NAME', 'ACTIVE', 'UPTIME', 'KINDS'], ...rows]);
}

/**
 * What a paused queue means, as the dashboard says it: `queue tasks is paused: no task starts until
 * it is resumed (...)`. With several partitions, which one (`queues` names them all).
 */
export function pausedQueueNotice(queue: CliQueue, partitions: number): string {
  const which = partitions > 1 ? ` of partition ${queue.partition} (prefix ${queue.prefix})` : '';
  const tasks = partitions > 1 ? 'no task of it' : 'no task';
  return printable(
    `queue ${queue.name}${which} is paused: ${tasks} starts until it is resumed (BullMQ's queue.resume(), or Resume in Bull Board/Taskforce)`,
  );
}

export function queueTable(queues: CliQueuesQuery['queues']): string {
  const rows = queues.map((queue) => [
    String(queue.partition),
    queue.name,
    queue.prefix,
    queue.paused ? 'PAUSED' : 'running',
    ...[queue.waiting, queue.prioritized, queue.delayed, queue.active, queue.completed, queue.failed].map(String),
  ]);
  const head = [
    'PARTITION',
    'NAME',
    'PREFIX',
    'STATE',
    'WAITING',
    'PRIORITIZED',
    'DELAYED',
    'ACTIVE',
    'COMPLETED',
    'FAILED',
  ];
  return table([head, ...rows]);
}

/** When a schedule runs: `every 60s`, or its cron expression and time zone. */
function timing(schedule: CliSchedule): string {
  return schedule.cron ? `${schedule.cron} (${schedule.timezone ?? 'UTC'})` : `every ${schedule.everySeconds}s`;
}

/** `ID (sleep_task, every 60s; next run 2026-01-31 12:00:03 UTC)`. */
export function scheduleText(schedule: CliSchedule): string {
  const next = schedule.nextRunAt ? `; next run ${time(schedule.nextRunAt)} UTC` : '';
  return printable(`${schedule.id} (${schedule.name}, ${timing(schedule)}${next})`);
}

export function scheduleTable(schedules: readonly CliSchedule[]): string {
  const rows = schedules.map((schedule) => [
    schedule.id,
    schedule.name,
    time(schedule.nextRunAt),
    schedule.lastTask ? `${schedule.lastTask.id} ${schedule.lastTask.state}` : '-',
    timing(schedule),
  ]);
  return table([['ID', 'KIND', 'NEXT RUN (UTC)', 'LAST TASK', 'RUNS'], ...rows]);
}
