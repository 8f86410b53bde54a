import { useSubscription } from '@apollo/client/react';
import { Fragment, useState } from 'react';
import type { TaskFieldsFragment } from '../graphql/generated/graphql';
import { TaskDetailSubscription } from '../graphql/operations';
import { ProgressBar } from './ProgressBar';
import { RetryButton } from './RetryButton';
import { TaskLogs } from './TaskLogs';
import { inputFields, kindLabel, outcome, percent, shortId, time, valueText, when } from './task-format';
import { Timeline } from './Timeline';
import { humanize } from './kind-fields';
import type { TaskKind } from './use-task-kinds';

interface TaskDetailProps {
  id: string;
  /** The kinds: a task's input shows in the order of the fields its kind's schema names. */
  kinds: readonly TaskKind[];
  onClose(): void;
  /** Opens another task (the one this retries, or its retry). */
  onSelect(id: string): void;
  onRetried(task: TaskFieldsFragment): void;
}

/**
 * One task followed live through `taskProgress`, from its snapshot to its terminal state, with its
 * timeline (sent with every change) and, once it has failed or been cancelled, a Retry.
 */
export function TaskDetail({ id, kinds, onClose, onSelect, onRetried }: TaskDetailProps) {
  const [ended, setEnded] = useState(false);
  const { data, error } = useSubscription(TaskDetailSubscription, {
    variables: { id },
    onComplete: () => setEnded(true),
  });
  const task = data?.taskProgress ?? null;
  const kind = task ? kinds.find((known) => known.name === task.name) : undefined;
  // Its input's fields, whatever its kind, in the order its kind's schema names them.
  const input = task ? inputFields(task.input, kind?.inputSchema) : [];
  return (
    <section aria-labelledby="detail-title" className="card detail">
      <div className="section-head">
        <h2 id="detail-title">Task {shortId(id)}</h2>
        {task && (
          <RetryButton
            task={task}
            onRetried={(retry) => {
              onRetried(retry);
              onSelect(retry.id);
            }}
          />
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      )}
      {task && (
        <>
          <p aria-live="polite" className="detail-status">
            <span className={`badge state-${task.state.toLowerCase()}`}>{task.state}</span> {percent(task)}, step{' '}
            {task.current} of {task.total}
            {ended ? ' (finished)' : ''}
          </p>
          <ProgressBar task={task} label={`Progress of task ${shortId(id)}`} />
          <dl>
            <dt>ID</dt>
            <dd>{task.id}</dd>
            <dt>Kind</dt>
            <dd>{kindLabel(task.name)}</dd>
            {input.map(([name, value]) => (
              <Fragment key={name}>
                <dt>{humanize(name)}</dt>
                <dd data-input={name}>{valueText(value)}</dd>
              </Fragment>
            ))}
            {task.retryOf && (
              <>
                <dt>Retry of</dt>
                <dd>
                  <button type="button" className="link" onClick={() => onSelect(task.retryOf!)} title={task.retryOf}>
                    {shortId(task.retryOf)}
                  </button>
                </dd>
              </>
            )}
            {task.scheduleId && (
              <>
                <dt>Schedule</dt>
                <dd>{task.scheduleId}</dd>
              </>
            )}
            <dt>Priority</dt>
            <dd>{task.priority ?? 'none'}</dd>
            {task.runAt && (
              <>
                <dt>Run at</dt>
                <dd>
                  <time dateTime={task.runAt}>{when(task.runAt)}</time>
                </dd>
              </>
            )}
            <dt>Time limit</dt>
            <dd>{task.timeoutSeconds !== null ? `${task.timeoutSeconds} s` : "the workers' (WORKER_MAX_TIMEOUT)"}</dd>
            <dt>Worker</dt>
            <dd>{task.worker ?? 'none yet'}</dd>
            <dt>Attempts</dt>
            <dd>{task.attempts}</dd>
            <dt>Created</dt>
            <dd>{time(task.createdAt)}</dd>
            <dt>Started</dt>
            <dd>{time(task.startedAt)}</dd>
            <dt>Finished</dt>
            <dd>{time(task.finishedAt)}</dd>
            <dt>Expires</dt>
            <dd>{time(task.expiresAt)}</dd>
            <dt>{task.state === 'FAILED' ? 'Error' : 'Result'}</dt>
            <dd className="outcome">{outcome(task)}</dd>
          </dl>
          <Timeline events={task.timeline} />
          <TaskLogs id={id} lines={task.logs} ended={ended} />
        </>
      )}
    </section>
  );
}
