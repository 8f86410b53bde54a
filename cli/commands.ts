import type { Command } from './args.js';
import type { ApiClient } from './api-client.js';
import { ExitCode, type ExitCodeValue } from './errors.js';
import {
  createdLine,
  logDocument,
  logLine,
  pausedQueueNotice,
  queueTable,
  scheduleTable,
  scheduleText,
  table,
  taskTable,
  workerTable,
} from './format.js';
import {
  CancelTaskMutation,
  CreateTaskMutation,
  CreateTaskScheduleMutation,
  DeleteTaskMutation,
  DeleteTaskScheduleMutation,
  QueuesQuery,
  TaskKindsQuery,
  TaskSchedulesQuery,
  TasksQuery,
  WorkersQuery,
} from './graphql/operations.js';
import { describeKind, findKind, taskInputOf, type CliTaskKind, type KindArgs } from './kind-input.js';
import { printable } from './printable.js';
import { readLogs } from './task-logs.js';
import { watchTasks } from './watch.js';
import { jsonView, lineView, terminalView, type Output } from './watch-view.js';

export interface CommandContext {
  api: ApiClient;
  output: Output;
  json: boolean;
}

type RunnableCommand = Exclude<Command, { name: 'help' }>;

/** Runs one command against the API; answers its exit code, or throws a CliError. */
export async function runCommand(command: RunnableCommand, context: CommandContext): Promise<ExitCodeValue> {
  const { api, output, json } = context;
  const print = (text: string, value: unknown) => output.stdout.write(`${json ? JSON.stringify(value) : text}\n`);

  switch (command.name) {
    case 'kinds': {
      const kinds = await taskKinds(api);
      print(kindsText(kinds), kinds);
      return ExitCode.ok;
    }
    case 'create': {
      const { kind, input } = await kindInput(api, command.task, 'create');
      const { createTask: task } = await api.request(CreateTaskMutation, {
        kind: kind.name,
        input,
        options: command.options,
      });
      print(createdLine(task), task);
      return command.watch ? watch([task.id], context) : ExitCode.ok;
    }
    case 'watch':
      return watch(command.ids, context);
    case 'logs': {
      const lines = await readLogs(api, command.id, command.last);
      // One line per log line, as JSON too: a log is read (and filtered) line by line.
      for (const line of lines) print(logLine(line), logDocument(command.id, line));
      return ExitCode.ok;
    }
    case 'list': {
      const { tasks } = await api.request(TasksQuery, {
        first: command.first,
        after: command.after,
        state: command.state,
        name: command.kind,
      });
      const cursor = tasks.pageInfo.endCursor;
      const more = tasks.pageInfo.hasNextPage && cursor !== null ? `; the next page: --after ${printable(cursor)}` : '';
      const summary = `${tasks.nodes.length} of ${tasks.totalCount} task${tasks.totalCount === 1 ? '' : 's'}${more}`;
      print(tasks.nodes.length > 0 ? `${taskTable(tasks.nodes)}\n${summary}` : summary, tasks);
      return ExitCode.ok;
    }
    case 'cancel': {
      const { cancelTask: task } = await api.request(CancelTaskMutation, { id: command.id });
      const id = printable(task.id);
      const text =
        task.state === 'CANCELLED'
          ? `cancelled ${id}`
          : task.state === 'ACTIVE'
            ? `cancelling ${id}: it stops within a second`
            : `${id} had already ended: ${task.state.toLowerCase()}`;
      print(text, task);
      return ExitCode.ok;
    }
    case 'delete': {
      await api.request(DeleteTaskMutation, { id: command.id });
      print(`deleted ${printable(command.id)}`, { id: command.id, deleted: true });
      return ExitCode.ok;
    }
    case 'schedule-create': {
      const { kind, input } = await kindInput(api, command.task, 'schedule create');
      const { createTaskSchedule: schedule } = await api.request(CreateTaskScheduleMutation, {
        kind: kind.name,
        input,
        schedule: command.schedule,
      });
      print(`created schedule ${scheduleText(schedule)}`, schedule);
      return ExitCode.ok;
    }
    case 'schedule-list': {
      const { taskSchedules } = await api.request(TaskSchedulesQuery, {});
      const summary = `${taskSchedules.length} schedule${taskSchedules.length === 1 ? '' : 's'}`;
      print(taskSchedules.length > 0 ? `${scheduleTable(taskSchedules)}\n${summary}` : summary, taskSchedules);
      return ExitCode.ok;
    }
    case 'schedule-delete': {
      await api.request(DeleteTaskScheduleMutation, { id: command.id });
      print(`deleted schedule ${printable(command.id)}`, { id: command.id, deleted: true });
      return ExitCode.ok;
    }
    case 'workers': {
      const { workers, queues } = await api.request(WorkersQuery, {});
      print(workers.length > 0 ? workerTable(workers) : 'no workers are running', workers);
      // Why idle workers start nothing. With --json, stdout keeps its one document; the notice goes to stderr.
      for (const queue of queues.filter(({ paused }) => paused)) {
        const notice = pausedQueueNotice(queue, queues.length);
        if (json) output.stderr.write(`${JSON.stringify({ warning: notice, queue })}\n`);
        else output.stdout.write(`${notice}\n`);
      }
      return ExitCode.ok;
    }
    case 'queues': {
      const { queues } = await api.request(QueuesQuery, {});
      print(queueTable(queues), queues);
      return ExitCode.ok;
    }
  }
}

async function taskKinds(api: ApiClient): Promise<CliTaskKind[]> {
  return (await api.request(TaskKindsQuery, {})).taskKinds;
}

/** The kind named and its input from what was typed, as the API's taskKinds describe them. */
async function kindInput(api: ApiClient, args: KindArgs, command: string) {
  const kind = findKind(await taskKinds(api), args.kind);
  return { kind, input: taskInputOf(kind, args, command) };
}

/** Each kind as a block: what it is, its usage, then its fields in columns. */
function kindsText(kinds: readonly CliTaskKind[]): string {
  if (kinds.length === 0) return 'the API runs no kinds of task';
  return kinds
    .map((kind) => {
      const { head, fields } = describeKind(kind);
      return [...head.map(printable), ...(fields.length > 0 ? [table(fields)] : ['  (no input fields)'])].join('\n');
    })
    .join('\n\n');
}

function watch(ids: readonly string[], { api, output, json }: CommandContext): Promise<ExitCodeValue> {
  const view = json ? jsonView(output) : output.stdout.isTTY ? terminalView(output) : lineView(output);
  return watchTasks(api, ids, view);
}
