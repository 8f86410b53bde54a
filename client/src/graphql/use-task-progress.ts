import { useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import type { TaskFieldsFragment } from './generated/graphql';
import { TaskProgressSubscription } from './operations';

export interface TaskProgress {
  /** The task as last seen: the snapshot first, then each change. */
  task: TaskFieldsFragment | null;
  /** True once the server has sent the terminal state and ended the subscription. */
  ended: boolean;
  error: Error | null;
}

/**
 * Follows one task live (`taskProgress`), typed from schema.graphql by GraphQL Code Generator, so a
 * renamed field breaks the build. After a dropped connection it subscribes again and so gets the
 * current state first.
 */
export function useTaskProgress(id: string | null): TaskProgress {
  const [endedFor, setEndedFor] = useState<string | null>(null);
  const { data, error } = useSubscription(TaskProgressSubscription, {
    variables: { id: id ?? '' },
    skip: !id,
    onComplete: () => setEndedFor(id),
  });
  return { task: data?.taskProgress ?? null, ended: id !== null && endedFor === id, error: error ?? null };
}
