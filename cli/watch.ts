import type { ApiClient } from './api-client.js';
import { CliError, ExitCode, type ExitCodeValue } from './errors.js';
import { isTerminal, type CliTask } from './format.js';
import { TaskProgressSubscription } from './graphql/operations.js';
import { readLogs } from './task-logs.js';
import type { WatchView } from './watch-view.js';

function exitCodeOf(task: CliTask): ExitCodeValue {
  return task.state === 'COMPLETED' ? ExitCode.ok : ExitCode.failed;
}

/**
 * Follows each task over `taskProgress` to its end, showing every change, then its log (read once
 * it has ended, over HTTP: the subscription carries no log lines). Resolves with 0 when all
 * completed, else the highest exit code among them (1 failed or cancelled, 2 unknown id, 3 the API
 * went away, 130 interrupted). The server ends each subscription after the terminal state.
 */
export function watchTasks(api: ApiClient, ids: readonly string[], view: WatchView): Promise<ExitCodeValue> {
  const watches = [...new Set(ids)].map(
    (id) =>
      new Promise<ExitCodeValue>((resolve) => {
        let last: CliTask | undefined;
        api.subscribe(
          TaskProgressSubscription,
          { id },
          {
            next({ taskProgress: task }) {
              last = task;
              view.update(task);
            },
            error(error) {
              // Ctrl-C ends every watch at once: nothing to say about each.
              if (error.exitCode !== ExitCode.interrupted) view.end(id, { error });
              resolve(error.exitCode);
            },
            complete() {
              if (last && isTerminal(last)) {
                const task = last;
                readLogs(api, id).then(
                  (logs) => {
                    view.end(id, { task, logs });
                    resolve(exitCodeOf(task));
                  },
                  (error: CliError) => {
                    if (error.exitCode === ExitCode.interrupted) return resolve(error.exitCode);
                    view.end(id, { task, logs: [], logsError: error });
                    resolve(exitCodeOf(task));
                  },
                );
                return;
              }
              // Deleted or expired while watched: the server ends the subscription without an end state.
              const error = new CliError('the task was deleted before it ended', ExitCode.failed, 'GONE');
              view.end(id, { error });
              resolve(error.exitCode);
            },
          },
        );
      }),
  );
  return Promise.all(watches).then(
    (codes) => {
      view.close();
      return codes.reduce<ExitCodeValue>((worst, code) => (code > worst ? code : worst), ExitCode.ok);
    },
    (error: unknown) => {
      view.close();
      throw error;
    },
  );
}
