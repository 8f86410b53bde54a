import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { TaskResolver } from './task.resolver.js';
import { taskKindApis } from './task-kinds.js';
import { WorkerResolver } from './worker.resolver.js';

const kinds = Object.values(taskKindApis);

export function buildTaskSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [TaskResolver, WorkerResolver, ...kinds.map((kind) => kind.resolver)] as [Function, ...Function[]],
    // Task kinds appear in no field's type by name, only through the Task interface.
    orphanedTypes: kinds.map((kind) => kind.objectType),
    pubSub,
    validate: false, // input is checked by each kind's schema, with errors that name the field
  });
}

/** The schema as committed in schema.graphql: sorted, so its diff shows only real changes. */
export function printTaskSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
