import type { FieldPolicy, InMemoryCache } from '@apollo/client';
import type { TaskKindsQuery } from './generated/graphql.js';
import generatedPossibleTypes from './generated/possible-types.js';

/**
 * The GraphQL types of tasks: `Task`'s implementations as codegen saw them, and each kind's
 * `typeName` as `taskKinds` answers it at run time. A kind added to the service after this was
 * built is a type the cache has never heard of: until it learns it, `fragment ... on Task` does not
 * match that kind's tasks, and their fields are neither written nor read.
 */
export interface TaskTypes {
  has(typename: string): boolean;
  /** Types of task from a `taskKinds` answer; the cache matches `Task` fragments to them from now on. */
  learn(typeNames: readonly string[]): void;
}

export function createTaskTypes(cache: () => InMemoryCache): TaskTypes {
  const known = new Set(generatedPossibleTypes.possibleTypes.Task ?? []);
  return {
    has: (typename) => known.has(typename),
    learn(typeNames) {
      const added = typeNames.filter((name) => !known.has(name));
      if (added.length === 0) return;
      for (const name of added) known.add(name);
      cache().policies.addPossibleTypes({ Task: added });
    },
  };
}

/** `Query.taskKinds` in the cache: each answer, as it is written, teaches the cache the kinds' types. */
export function taskKindsPolicy(taskTypes: TaskTypes): FieldPolicy<TaskKindsQuery['taskKinds']> {
  return {
    merge(_existing, incoming) {
      taskTypes.learn(incoming.map((kind) => kind.typeName));
      return incoming;
    },
  };
}
