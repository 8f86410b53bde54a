import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Ctx, Field, Int, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { WORKER_RECORD_TTL_MS } from '../../core/worker-registry.js';
import type { LiveWorker } from '../tasks/worker-feed.js';
import type { Context } from './context.js';
import { DateTimeScalar } from './date-time.scalar.js';

@ObjectType('Worker', {
  description: `A worker process that is alive now: one that has reported within the last ${WORKER_RECORD_TTL_MS / 1000} seconds.`,
})
class Worker {
  @Field(() => String, {
    description: 'As configured (WORKER_NAME; `worker@<host>-<pid>` by default). `Task.worker` names it.',
  })
  name!: string;

  @Field(() => Int, { description: 'Tasks it runs at once (WORKER_CONCURRENCY).' })
  concurrency!: number;

  @Field(() => DateTimeScalar, { description: 'When it started.' })
  startedAt!: Date;

  @Field(() => Int, { description: 'Whole seconds since it started, as of this answer.' })
  uptime!: number;

  @Field(() => [String], { description: 'The kinds of task it runs, as `Task.name` names them.' })
  taskNames!: string[];

  @Field(() => Int, { description: 'Tasks it is running now.' })
  activeTasks!: number;
}

@Resolver()
export class WorkerResolver {
  @Query(() => [Worker], {
    description:
      "The live workers, in order of name: the whole service's, not only the caller's, as /metrics counts them.",
  })
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
