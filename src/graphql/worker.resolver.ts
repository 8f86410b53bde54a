import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import {
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
  Extensions,
} from 'type-graphql';
import { WORKER_RECORD_TTL_MS } from '../../core/worker-registry.js';
import type { LiveWorker } from '../tasks/worker-feed.js';
import type { Context } from './context.js';
import { DateTimeScalar } from './date-time.scalar.js';
import { listBound, MAX_WORKERS } from './list-bound.js';

@ObjectType('Worker', {
  description: `A worker process that is alive now: one that has reported within the last ${WORKER_RECORD_TTL_MS / 1000} seconds.`,
})
class Worker {
  /** Read by WorkerResolver.id, from the name. */
  @Field(() => ID, {
    description:
      "Its name, the key of its record in the service's registry of workers: unique among the live workers, and the same for as long as the process runs. A worker restarted with the same WORKER_NAME keeps its id; the default name holds the process id, so a restart under it is a new worker.",
  })
  id?: string;

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

  // A few names, a word each: counted once.
  @Extensions(listBound({ items: 1 }))
  @Field(() => [String], { description: 'The kinds of task it runs, as `Task.name` names them.' })
  taskNames!: string[];

  @Field(() => Int, { description: 'Tasks it is running now.' })
  activeTasks!: number;
}

@Resolver(() => Worker)
export class WorkerResolver {
  @Extensions(listBound({ items: MAX_WORKERS }))
  @Query(() => [Worker], {
    description:
      "The live workers, in order of name: the whole service's, not only the caller's, as /metrics counts them.",
  })
  workers(@Ctx() { tasks }: Context): Promise<Worker[]> {
    return tasks.workers();
  }

  @Extensions(listBound({ items: MAX_WORKERS }))
  @Subscription(() => [Worker], {
    description:
      'The live workers now, then the whole list again each time it changes: a worker starts or stops, or runs more or fewer tasks.',
    subscribe: ({ context }) => (context as Context).tasks.watchWorkers(),
  })
  workersChanged(@Root() workers: LiveWorker[]): Worker[] {
    return workers;
  }

  /** The registry keeps one record per name (core/worker-registry.ts): the name is what identifies a worker. */
  @FieldResolver(() => ID)
  id(@Root() worker: LiveWorker): string {
    return worker.name;
  }
}
