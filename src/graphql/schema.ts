import 'reflect-metadata';
import { assertInterfaceType, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { TaskResolver } from './task.resolver.js';
import type { TaskView } from './task.type.js';
import { taskKindApis } from './task-kinds.js';
import { WorkerResolver } from './worker.resolver.js';

const kinds = Object.values(taskKindApis);

export async function buildTaskSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [TaskResolver, WorkerResolver, ...kinds.map((kind) => kind.resolver)] as [Function, ...Function[]],
    // Task kinds appear in no field's type by name, only through the Task interface.
    orphanedTypes: kinds.map((kind) => kind.objectType),
    pubSub,
    validate: false, // input is checked by each kind's schema, with errors that name the field
  });
  // type-graphql wraps the interface's resolveType (task.type.ts) in an async function; graphql-jit,
  // which runs the HTTP fast path, needs the type name at once, which the view carries anyway.
  assertInterfaceType(schema.getType('Task')).resolveType = (task: TaskView) => task.typeName;
  return schema;
}

/** The schema as committed in schema.graphql: sorted, so its diff shows only real changes. */
export function printTaskSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
