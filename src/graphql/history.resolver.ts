import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver, Extensions } from 'type-graphql';
import { HISTORY_MINUTES } from '../tasks/task-history.js';
import type { Context } from './context.js';
import { DateTimeScalar } from './date-time.scalar.js';
import { listBound } from './list-bound.js';

@ObjectType('TaskMinute', { description: 'One minute of the service as a whole, over every partition.' })
class TaskMinute {
  @Field(() => DateTimeScalar, { description: 'When the minute began.' })
  at!: Date;

  @Field(() => Int, { description: 'Tasks that ended COMPLETED in it.' })
  completed!: number;

  @Field(() => Int, { description: 'Tasks that ended FAILED in it (an attempt retried is not an end).' })
  failed!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Tasks waiting to run (QUEUED) as it began; null when no API instance was there to look.',
  })
  backlog!: number | null;
}

@Resolver()
export class HistoryResolver {
  @Extensions(listBound({ items: HISTORY_MINUTES }))
  @Query(() => [TaskMinute], {
    description: `The service's last minutes, oldest first, the current one last: its tasks completed and failed, and its backlog. Of every caller's tasks, as \`workers\` and /metrics are.`,
  })
  taskHistory(
    @Ctx() { tasks }: Context,
    @Arg('minutes', () => Int, {
      nullable: true,
      defaultValue: HISTORY_MINUTES,
      description: `1 to ${HISTORY_MINUTES}.`,
    })
    minutes: number | null,
  ): Promise<TaskMinute[]> {
    return tasks.history(minutes ?? HISTORY_MINUTES);
  }
}
