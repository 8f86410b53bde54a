import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Ctx, Field, Int, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { LiveWorker } from '../tasks/worker-feed.js';
import type { Context } from './context.js';
import { DateTimeScalar } from './date-time.scalar.js';

@ObjectType('Worker', { description: 'A worker process that is alive now.' })
class Worker {
  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: 'Tasks it runs at once.' })
  concurrency!: number;

  @Field(() => DateTimeScalar)
  startedAt!: Date;

  @Field(() => Int, { description: 'Seconds since it started.' })
  uptime!: number;

  @Field(() => [String], { description: 'The task kinds it runs.' })
  taskNames!: string[];

  @Field(() => Int, { description: 'Tasks it is running now.' })
  activeTasks!: number;
}

@Resolver()
export class WorkerResolver {
  @Query(() => [Worker])
  workers(@Ctx() { tasks }: Context): Promise<Worker[]> {
    return tasks.workers();
  }

  @Subscription(() => [Worker], {
    description:
      'The live workers now, then the whole list again each time it changes: a worker starts or stops, or runs more or fewer tasks.',
    subscribe: ({ context }) => (context as Context).tasks.watchWorkers(),
  })
  workersChanged(@Root() workers: LiveWorker[]): Worker[] {
    return workers;
  }
}
