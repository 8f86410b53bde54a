import {
  isInterfaceType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { MAX_PARTITIONS } from '../../core/config.js';

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
export function pageArgument(
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

declare module 'graphql' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- an augmentation repeats the type parameters graphql declares
  interface GraphQLFieldExtensions<_TSource, _TContext, _TArgs> {
    /** How long the list this field answers may be (see listBound). */
    listBound?: ListBound;
  }
}

/**
 * A list field's bound, declared where the field is (`@Extensions(listBound({ items: 100 }))`; a
 * kind's lists take theirs from their zod schemas). A list field without one fails
 * test/cost-limit-rule.test.ts. Introspection's lists (`__schema.types`, `fields`, ...) have none:
 * they are counted once, as the schema itself bounds them and the whole schema is small.
 */
export function listBound(bound: ListBound): { listBound: ListBound } {
  return { listBound: bound };
}

/** A list field's bound: its own, or that of the interface it comes from. */
export function listBoundOf(type: GraphQLNamedType | undefined, name: string): ListBound | undefined {
  if (!isObjectType(type) && !isInterfaceType(type)) return undefined;
  const own = type.getFields()[name]?.extensions.listBound;
  if (own || !isObjectType(type)) return own;
  return type
    .getInterfaces()
    .map((face) => face.getFields()[name]?.extensions.listBound)
    .find((bound) => bound !== undefined);
}
