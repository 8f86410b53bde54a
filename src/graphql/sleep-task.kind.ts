import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Field, Info, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import { MAX_SLEEP_SECONDS, sleepTask, type SleepTaskInput } from '../../core/task-kinds/sleep-task.js';
import { admittedField, type Context } from './context.js';
import {
  INPUT_DESCRIPTION,
  OPTIONS_DESCRIPTION,
  SCHEDULE_DESCRIPTION,
  SCHEDULED_INPUT_DESCRIPTION,
} from './descriptions.js';
import type { TaskKindApi } from './task-kind-api.js';
import { viewOf, type TaskView } from './task-view.js';
import { TaskOptionsInput } from './task-options.input.js';
import { ScheduleInput, scheduleViewOf, TaskSchedule, type TaskScheduleView } from './task-schedule.type.js';
import { Task } from './task.type.js';

@ObjectType('SleepTaskResult', { description: 'What a completed sleep task answers.' })
class SleepTaskResult {
  @Field(() => String, { description: 'Always "ok".' })
  status!: string;
}

@ObjectType('SleepTask', { implements: Task, description: 'Sleeps `duration` seconds, one progress step a second.' })
class SleepTask extends Task {
  @Field(() => Int, { description: `Seconds to sleep, 1 to ${MAX_SLEEP_SECONDS}.` })
  duration!: number;

  @Field(() => SleepTaskResult, {
    nullable: true,
    description: 'Its result once COMPLETED; null until then, and for a task that did not complete.',
  })
  result!: SleepTaskResult | null;
}

@InputType('CreateSleepTaskInput', { description: 'What a sleep task does.' })
class CreateSleepTaskInput {
  @Field(() => Int, { description: `Seconds to sleep, 1 to ${MAX_SLEEP_SECONDS}: one progress step each.` })
  duration!: number;
}

@Resolver()
class SleepTaskResolver {
  @Mutation(() => SleepTask, { description: 'Queues a sleep task.' })
  createSleepTask(
    @Arg('input', () => CreateSleepTaskInput, { description: INPUT_DESCRIPTION }) input: CreateSleepTaskInput,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('options', () => TaskOptionsInput, { nullable: true, description: OPTIONS_DESCRIPTION })
    options?: TaskOptionsInput | null,
  ): Promise<TaskView> {
    return context.tasks
      .create(sleepTask, { ...input }, context.caller, options && { ...options }, admittedField(context, info))
      .then((record) => viewOf(sleepTaskApi, record));
  }

  @Mutation(() => TaskSchedule, { description: 'Creates a sleep task at each due time of `schedule`.' })
  createSleepTaskSchedule(
    @Arg('input', () => CreateSleepTaskInput, { description: SCHEDULED_INPUT_DESCRIPTION }) input: CreateSleepTaskInput,
    @Arg('schedule', () => ScheduleInput, { description: SCHEDULE_DESCRIPTION }) schedule: ScheduleInput,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TaskScheduleView> {
    return context.schedules
      .create(sleepTask, { ...input }, { ...schedule }, context.caller, admittedField(context, info))
      .then(scheduleViewOf);
  }
}

export const sleepTaskApi: TaskKindApi = {
  kind: sleepTask,
  typeName: 'SleepTask',
  objectType: SleepTask,
  resolver: SleepTaskResolver,
  createMutation: 'createSleepTask',
  scheduleMutation: 'createSleepTaskSchedule',
  fields: ({ input, result }) => ({ duration: (input as SleepTaskInput).duration, result }),
};
