import { assertObjectType, GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { GenericTaskResolver } from './generic-task.resolver.js';
import { HistoryResolver } from './history.resolver.js';
import { QueueResolver } from './queue.resolver.js';
import { TaskScheduleResolver } from './task-schedule.resolver.js';
import { TaskTimelineResolver } from './task-timeline.resolver.js';
import { TaskResolver } from './task.resolver.js';
import { taskKindApis } from './task-kinds.js';
import { WorkerResolver } from './worker.resolver.js';

/**
 * type-graphql wants a pub/sub for subscriptions declared by topic; these subscribe through the
 * task service instead (task.resolver.ts), so this one is never used.
 */
const unused: PubSub = {
  publish: () => {
    throw new Error('subscriptions subscribe through the task service');
  },
  subscribe: () => {
    throw new Error('subscriptions subscribe through the task service');
  },
};

/**
 * The schema. `partitions` (TASK_PARTITIONS) is what the cost limit counts `queues` for
 * (list-bound.ts); left out, it counts the most there may be.
 */
export async function buildTaskSchema({ partitions }: { partitions?: number } = {}): Promise<GraphQLSchema> {
  const built = await buildSchema({
    resolvers: [
      TaskResolver,
      TaskTimelineResolver,
      TaskScheduleResolver,
      HistoryResolver,
      WorkerResolver,
      QueueResolver,
      GenericTaskResolver,
      ...taskKindApis.map((api) => api.resolver),
    ] as [Function, ...Function[]],
    // Task kinds appear in no field's type by name, only through the Task interface.
    orphanedTypes: taskKindApis.map((api) => api.objectType),
    pubSub: unused,
    validate: false, // input is checked by each kind's schema, with errors that name the field
  });
  const schema =
    partitions === undefined
      ? built
      : new GraphQLSchema({ ...built.toConfig(), extensions: { ...built.extensions, taskPartitions: partitions } });
  // Admission reads each create mutation's `input`, and each schedule mutation's `input` and
  // `schedule`, by the names its kind declares.
  const mutations = assertObjectType(schema.getMutationType()).getFields();
  const takes = (mutation: string, args: readonly string[]) =>
    args.every((name) => mutations[mutation]?.args.some((arg) => arg.name === name));
  for (const api of taskKindApis) {
    if (!takes(api.createMutation, ['input'])) {
      throw new Error(`${api.kind.name}: no mutation ${api.createMutation}(input: ...) in the schema`);
    }
    if (!takes(api.scheduleMutation, ['input', 'schedule'])) {
      throw new Error(`${api.kind.name}: no mutation ${api.scheduleMutation}(input: ..., schedule: ...) in the schema`);
    }
  }
  return schema;
}

/** The schema as committed in schema.graphql: sorted, so its diff shows only real changes. */
export function printTaskSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
