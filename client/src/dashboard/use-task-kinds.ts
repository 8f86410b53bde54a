import { useQuery } from '@apollo/client/react';
import type { TaskKindsQuery as TaskKindsData } from '../graphql/generated/graphql';
import { TaskKindsQuery } from '../graphql/operations';

export type TaskKind = TaskKindsData['taskKinds'][number];

/**
 * The kinds the service runs, read once and from the cache after (again when the API comes back,
 * as every query on screen is): the forms, the kind filter and the task detail are made from them.
 */
export function useTaskKinds() {
  const { data, error } = useQuery(TaskKindsQuery);
  return { kinds: data?.taskKinds, error };
}

/** The kind of this name, once the kinds are known. */
export function useTaskKind(name: string): TaskKind | undefined {
  return useTaskKinds().kinds?.find((kind) => kind.name === name);
}
