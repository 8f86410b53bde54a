import { useTaskProgress } from '../graphql/use-task-progress';
import { ProgressBar } from './ProgressBar';
import { kindLabels, outcome, percent, shortId, time } from './task-format';

/** One task followed live through `taskProgress`, from its snapshot to its terminal state. */
export function TaskDetail({ id, onClose }: { id: string; onClose(): void }) {
  const { task, ended, error } = useTaskProgress(id);
  return (
    <section aria-labelledby="detail-title" className="card detail">
      <div className="section-head">
        <h2 id="detail-title">Task {shortId(id)}</h2>
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
            <dd>{kindLabels[task.name] ?? task.name}</dd>
            {'duration' in task && (
              <>
                <dt>Duration</dt>
                <dd>{task.duration} s</dd>
              </>
            )}
            {'numbers' in task && (
              <>
                <dt>Input</dt>
                <dd>
                  {task.operation} of {task.numbers.join(', ')}
                </dd>
              </>
            )}
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
        </>
      )}
    </section>
  );
}
