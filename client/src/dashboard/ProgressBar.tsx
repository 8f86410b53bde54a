import type { TaskFieldsFragment } from '../graphql/generated/graphql';
import { percent } from './task-format';

export function ProgressBar({ task, label }: { task: TaskFieldsFragment; label: string }) {
  return (
    <div className="progress">
      <progress max={100} value={task.progress} aria-label={label} />
      <span className="progress-text">
        {percent(task)}{' '}
        <span className="muted">
          ({task.current}/{task.total})
        </span>
      </span>
    </div>
  );
}
