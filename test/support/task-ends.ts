import { gqlData, type Watch } from './graphql.js';
import { GET_TASK, type TaskData } from './operations.js';
import { waitFor, within } from '../../testbed/wait.js';

/** A task's end as a test compares it: COMPLETED, or its state with its error. */
export function outcome(task: TaskData | undefined): string {
  return task?.state === 'COMPLETED' ? task.state : `${task?.state}: ${task?.error}`;
}

/** Waits until every task has ended (it has `finishedAt`), then answers the outcome of each, in order. */
export async function outcomesOf(url: string, ids: readonly string[], timeoutMs = 45_000): Promise<string[]> {
  const read = () =>
    Promise.all(ids.map(async (id) => (await gqlData<{ task: TaskData }>(url, GET_TASK, { id })).task));
  let last: TaskData[] = [];
  const ended = await waitFor(
    async () => {
      last = await read();
      return last.every((task) => task.finishedAt !== null) && last;
    },
    { what: 'every task ended', timeoutMs },
  ).catch((error: Error) => {
    // Which tasks have not ended, and where each stands, tells a lost run from a slow one.
    const open = last
      .filter((task) => task.finishedAt === null)
      .map(
        (task) =>
          `${task.id}: ${task.state} ${task.current}/${task.total}, attempts ${task.attempts}, worker ${task.worker}`,
      );
    throw new Error(`${error.message}; ${open.length} not ended:\n${open.join('\n')}`, { cause: error });
  });
  return ended.map(outcome);
}

/**
 * Waits until every watcher of a task's progress has been ended by the server. When one has not,
 * the error names it with the last value it got and what the service answers for its task now, so
 * that a failure tells a missed end event from a task that never ended.
 */
export async function watchersEnded(
  url: string,
  watches: readonly Watch<{ taskProgress: TaskData }>[],
  timeoutMs: number,
  what: string,
): Promise<void> {
  try {
    await within(Promise.all(watches.map((w) => w.ended)), timeoutMs, what);
  } catch (error) {
    const open = watches.filter((w) => !w.completed && !w.error);
    const details = await Promise.all(
      open.map(async (w) => {
        const last = w.values.at(-1)?.taskProgress;
        const now = last
          ? await gqlData<{ task: TaskData }>(url, GET_TASK, { id: last.id }).then(
              ({ task }) => `${task.state} ${task.current}/${task.total}`,
              (failed: unknown) => `unreadable: ${String(failed)}`,
            )
          : 'no value yet';
        return `${last?.id}: last sent ${last?.state} ${last?.current}/${last?.total}, now ${now}`;
      }),
    );
    throw new Error(`${(error as Error).message}; ${open.length} still open:\n${details.join('\n')}`, { cause: error });
  }
}
