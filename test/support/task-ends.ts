import { gqlData } from './graphql.js';
import { GET_TASK, type TaskData } from './operations.js';
import { waitFor } from '../../testbed/wait.js';

/** A task's end as a test compares it: COMPLETED, or its state with its error. */
export function outcome(task: TaskData | undefined): string {
  return task?.state === 'COMPLETED' ? task.state : `${task?.state}: ${task?.error}`;
}

/** Waits until every task has ended (it has `finishedAt`), then answers the outcome of each, in order. */
export async function outcomesOf(url: string, ids: readonly string[], timeoutMs = 45_000): Promise<string[]> {
  const read = () =>
    Promise.all(ids.map(async (id) => (await gqlData<{ task: TaskData }>(url, GET_TASK, { id })).task));
  const ended = await waitFor(
    async () => {
      const tasks = await read();
      return tasks.every((task) => task.finishedAt !== null) && tasks;
    },
    { what: 'every task ended', timeoutMs },
  );
  return ended.map(outcome);
}
