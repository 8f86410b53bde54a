import { useQuery } from '@apollo/client/react';
import type { TaskDetailSubscription } from '../graphql/generated/graphql';
import { TaskLogsQuery } from '../graphql/operations';
import { clock } from './Timeline';

export type TaskLogLine = TaskDetailSubscription['taskProgress']['logs'][number];

/**
 * A task's log, oldest first: each line's time, level and message. The lines come with every
 * change of the task; once it has ended they are read once more, for a line written after the end
 * (a task given up by the queue).
 */
export function TaskLogs({ id, lines, ended }: { id: string; lines: readonly TaskLogLine[]; ended: boolean }) {
  const { data } = useQuery(TaskLogsQuery, { variables: { id }, skip: !ended, fetchPolicy: 'network-only' });
  const shown = (ended && data?.task?.logs) || lines;
  return (
    <>
      <h3 id="logs-title">Logs</h3>
      {shown.length === 0 ? (
        <p className="muted">No lines yet.</p>
      ) : (
        <ol className="logs" aria-labelledby="logs-title">
          {shown.map((line, i) => (
            <li key={`${line.at}-${i}`} data-level={line.level} className={`log log-${line.level}`}>
              <time dateTime={line.at} title={new Date(line.at).toISOString()}>
                {clock(line.at)}
              </time>
              <span className="log-level">{line.level}</span>
              <span className="log-message">{line.message}</span>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
