import { ApolloLink, type ApolloCache } from '@apollo/client';
import { map } from 'rxjs';
import { TaskFieldsFragmentDoc } from './generated/graphql';
import type { TaskTypes } from './task-types';

/**
 * Answers and events can arrive out of order: a create mutation's answer (QUEUED) after the task's
 * COMPLETED event on the socket, or a subscription's snapshot after a newer event of another
 * subscription. Apollo writes whatever arrives last, so before it does, every task in a result that
 * is older than the copy in the cache (by `version`) is replaced by that copy: the cache only moves
 * forward.
 */
export function newestTaskLink(cache: ApolloCache, taskTypes: TaskTypes): ApolloLink {
  const newest = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(newest);
    if (!value || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    if (typeof object.__typename === 'string' && taskTypes.has(object.__typename)) {
      const cached = cache.readFragment({
        id: cache.identify({ __typename: object.__typename, id: object.id as string }),
        fragment: TaskFieldsFragmentDoc,
      });
      return cached && cached.version > (object.version as number) ? { ...object, ...cached } : object;
    }
    return Object.fromEntries(Object.entries(object).map(([key, field]) => [key, newest(field)]));
  };
  return new ApolloLink((operation, forward) =>
    forward(operation).pipe(
      map((result) => (result.data ? { ...result, data: newest(result.data) as typeof result.data } : result)),
    ),
  );
}
