import {
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { MAX_PARTITIONS } from '../../core/config.js';
import { MAX_LOG_LINES_READ, MAX_PAGE_SIZE, MAX_SCHEDULES_PER_OWNER, TIMELINE_LENGTH } from '../../core/limits.js';
import { taskKinds } from '../../core/task-kinds/index.js';
import { HISTORY_MINUTES } from '../tasks/task-history.js';
import { taskKindListBounds } from './task-kinds.js';

/**
 * Workers the cost of `workers` is counted for. The list is as long as the worker processes alive
 * now, which only whoever deploys the service decides: a deployment runs a few, and a hundred is
 * more than any would need (each runs `WORKER_CONCURRENCY` tasks at once).
 */
export const MAX_WORKERS = 100;

declare module 'graphql' {
  interface GraphQLSchemaExtensions {
    /** The partitions the API serves (TASK_PARTITIONS), as buildTaskSchema was told them. */
    taskPartitions?: number;
  }
}

/**
 * The partitions a schema is served for: `queues` answers one queue each. A schema built without
 * them (schema.graphql's, a test's) counts the most a deployment may have, so it never undercounts.
 */
export function partitionsOf(schema: GraphQLSchema): number {
  return schema.extensions.taskPartitions ?? MAX_PARTITIONS;
}

/**
 * What a field tells the cost limit about list sizes: a list of at most `items` items (`'page'`: as
 * many as the connection field above it asks for, `largest` when nothing above says), or, for a
 * connection field, the size of the page its list will hold.
 */
export type ListBound =
  | { items: number }
  /** One item per partition the schema is served for (partitionsOf). */
  | { items: 'partitions' }
  | { items: 'page'; largest: number }
  | { page: (field: FieldNode, definition: GraphQLField<unknown, unknown>) => number }
  /** A list whose length an argument of its own asks for, such as `logs(last:)`. */
  | { itemsFrom: (field: FieldNode, definition: GraphQLField<unknown, unknown>) => number };

/**
 * The page an argument such as `first` asks for: its value when the operation writes it, its default
 * when it leaves it out, and `largest` when it is a variable, since a validation rule cannot see
 * variables and a client may always send the largest.
 */
function pageArgument(
  name: string,
  largest: number,
): (field: FieldNode, definition: GraphQLField<unknown, unknown>) => number {
  return (field, definition) => {
    const argument = field.arguments?.find((node) => node.name.value === name);
    if (!argument) {
      const fallback = definition.args.find((arg) => arg.name === name)?.defaultValue;
      return typeof fallback === 'number' ? Math.min(fallback, largest) : largest;
    }
    // Past either end the list refuses to run, and reads nothing.
    if (argument.value.kind === Kind.INT) return Math.max(0, Math.min(Number(argument.value.value), largest));
    return largest;
  };
}

/**
 * The size of every list field of the schema but the task kinds' (which take theirs from their
 * schemas, task-kind-types.ts), keyed by `Type.field`; a kind's type takes Task's from here. A list
 * field of ours missing fails test/cost-limit-rule.test.ts. Introspection's lists (`__schema.types`, `fields`, ...) are
 * not here: they are counted once, as the schema itself bounds them and the whole schema is small.
 */
export const listBounds: Readonly<Record<string, ListBound>> = {
  'Query.tasks': { page: pageArgument('first', MAX_PAGE_SIZE) },
  'TaskConnection.nodes': { items: 'page', largest: MAX_PAGE_SIZE },
  'Query.workers': { items: MAX_WORKERS },
  // One per file of tasks/.
  'Query.taskKinds': { items: taskKinds.length },
  'Subscription.workersChanged': { items: MAX_WORKERS },
  // One queue per partition: a few reads of each, so the cost follows the deployment's partitions.
  'Query.queues': { items: 'partitions' },
  'Query.taskHistory': { items: HISTORY_MINUTES },
  // The caller's schedules, as many as one owner may have (the list answers no more).
  'Query.taskSchedules': { items: MAX_SCHEDULES_PER_OWNER },
  // Asked for on a page of tasks, a timeline costs the page a hundred times over: one task's, or a few.
  'Task.timeline': { items: TIMELINE_LENGTH },
  // A task's log, as long as `last` asks: its default of 100, or up to 10,000 lines for a variable.
  'Task.logs': { itemsFrom: pageArgument('last', MAX_LOG_LINES_READ) },
  // One name per kind of task: as few as the schema has create mutations, so counted once.
  'Worker.taskNames': { items: 1 },
};

/** A list field's bound: its own, its kind's, or that of the interface it comes from (a kind's `timeline`). */
export function listBoundOf(type: GraphQLNamedType | undefined, name: string): ListBound | undefined {
  const own = listBounds[`${type?.name}.${name}`] ?? taskKindListBounds[`${type?.name}.${name}`];
  if (own || !isObjectType(type)) return own;
  return type
    .getInterfaces()
    .map((face) => listBounds[`${face.name}.${name}`])
    .find((bound) => bound !== undefined);
}
