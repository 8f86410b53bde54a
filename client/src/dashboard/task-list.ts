import type { ApolloCache } from '@apollo/client';
import type { TaskFieldsFragment, TaskState } from '../graphql/generated/graphql';
import { TasksQuery } from '../graphql/operations';

export interface TaskFilters {
  state: TaskState | null;
  name: string | null;
}

export function tasksVariables(filters: TaskFilters) {
  return { state: filters.state, name: filters.name };
}

export function matches(task: Pick<TaskFieldsFragment, 'state' | 'name'>, filters: TaskFilters): boolean {
  return (!filters.state || task.state === filters.state) && (!filters.name || task.name === filters.name);
}

/**
 * Puts a task the list has not seen (just created, or shown by `taskUpdated`) into the cached list
 * of the current filters, in its place by creation time. A task older than the last loaded row
 * belongs to a page not loaded yet, and is left for it.
 */
export function addToList(cache: ApolloCache, filters: TaskFilters, task: TaskFieldsFragment): void {
  if (!matches(task, filters)) return;
  cache.updateQuery({ query: TasksQuery, variables: tasksVariables(filters) }, (data) => {
    if (!data || data.tasks.nodes.some((node) => node.id === task.id)) return undefined;
    const nodes = [...data.tasks.nodes];
    const at = nodes.findIndex((node) => node.createdAt < task.createdAt);
    if (at === -1 && data.tasks.pageInfo.hasNextPage) return undefined;
    nodes.splice(at === -1 ? nodes.length : at, 0, task);
    return { ...data, tasks: { ...data.tasks, nodes, totalCount: data.tasks.totalCount + 1 } };
  });
}
