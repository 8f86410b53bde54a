import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Ctx, Field, ID, Int, ObjectType, Query, Resolver, Extensions } from 'type-graphql';
import type { QueueState } from '../tasks/queue-states.js';
import type { Context } from './context.js';
import { listBound } from './list-bound.js';

@ObjectType('TaskQueue', {
  description:
    "One partition's BullMQ queue, as BullMQ reports it (queue.isPaused(), queue.getJobCounts()) and as Bull Board or Taskforce list it.",
})
class TaskQueue implements QueueState {
  @Field(() => ID, {
    description:
      'The queue as BullMQ names its keys, its prefix and its name (`{tasks}:tasks`): unique in a Redis, for normalized caches.',
  })
  id!: string;

  @Field(() => String, { description: 'The BullMQ queue name: `tasks`.' })
  name!: string;

  @Field(() => String, {
    description: "Its key prefix (BullMQ's `prefix` option): the partition's, holding its hash tag.",
  })
  prefix!: string;

  @Field(() => Int, { description: 'The partition it serves, from 0.' })
  partition!: number;

  @Field(() => Boolean, {
    description:
      "Paused with BullMQ's queue.pause() (Pause in Bull Board or Taskforce): no task of it starts, and tasks created meanwhile stay QUEUED, until queue.resume().",
  })
  paused!: boolean;

  @Field(() => Int, {
    description:
      "Jobs in BullMQ's wait list. Every task of this service has a priority, so its waiting tasks are counted in `prioritized`.",
  })
  waiting!: number;

  @Field(() => Int, {
    description:
      'Jobs waiting for a free worker, in priority order: every QUEUED task that is due (each gets a priority), and due runs of schedules.',
  })
  prioritized!: number;

  @Field(() => Int, {
    description: "Jobs waiting for their time: delayed tasks (`runAt`), and the schedules' next runs.",
  })
  delayed!: number;

  @Field(() => Int, { description: 'Jobs a worker runs now.' })
  active!: number;

  @Field(() => Int, {
    description: 'Jobs completed, with their result: each is kept as long as its task (`RESULT_TTL`).',
  })
  completed!: number;

  @Field(() => Int, {
    description:
      "Jobs failed, with their error (a cancelled task's job too): each is kept as long as its task (`RESULT_TTL`).",
  })
  failed!: number;
}

@Resolver()
export class QueueResolver {
  // One queue per partition: a few reads of each, so the cost follows the deployment's partitions.
  @Extensions(listBound({ items: 'partitions' }))
  @Query(() => [TaskQueue], {
    description:
      "Each partition's BullMQ queue: whether it is paused, and its job counts. Of the service as a whole, as `workers` is: any caller, authenticated when authentication is on, reads the same.",
  })
  queues(@Ctx() { tasks }: Context): Promise<TaskQueue[]> {
    return tasks.queues();
  }
}
