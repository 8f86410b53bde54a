import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import type { TaskFieldsFragment } from '../graphql/generated/graphql';
import { RetryTaskMutation } from '../graphql/operations';
import { shortId } from './task-format';

/** Whether a task can be retried: it failed or was cancelled. */
export function canRetry(task: Pick<TaskFieldsFragment, 'state'>): boolean {
  return task.state === 'FAILED' || task.state === 'CANCELLED';
}

/**
 * Retry, on a failed or cancelled task: a new task of the same kind and input (`retryTask`). The
 * service's refusal (the task expired meanwhile, the allowance is spent) shows as the button's title.
 */
export function RetryButton({
  task,
  onRetried,
}: {
  task: TaskFieldsFragment;
  onRetried(task: TaskFieldsFragment): void;
}) {
  const [retry, { loading }] = useMutation(RetryTaskMutation);
  const [refusal, setRefusal] = useState<string | null>(null);
  if (!canRetry(task)) return null;
  return (
    <>
      <button
        type="button"
        onClick={(event) => {
          event.stopPropagation(); // not a click on the row, which opens the detail
          setRefusal(null);
          retry({ variables: { id: task.id } }).then(
            ({ data }) => data && onRetried(data.retryTask),
            (error: Error) => setRefusal(error.message),
          );
        }}
        disabled={loading}
        aria-label={`Retry task ${shortId(task.id)}`}
        aria-describedby={refusal ? `retry-error-${task.id}` : undefined}
      >
        Retry
      </button>
      {refusal && (
        <span id={`retry-error-${task.id}`} className="field-error" role="alert">
          {refusal}
        </span>
      )}
    </>
  );
}
