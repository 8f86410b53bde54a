import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Field, Info, InputType, Int, Mutation, ObjectType, Resolver, registerEnumType } from 'type-graphql';
import {
  calculationTask,
  CalculationOperation,
  MAX_NUMBERS,
  type CalculationTaskInput,
} from '../../core/task-kinds/calculation-task.js';
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

registerEnumType(CalculationOperation, {
  name: 'CalculationOperation',
  description: 'What a calculation task computes from its numbers.',
  valuesConfig: {
    SUM: { description: 'Their sum, exact at any size.' },
    PRODUCT: { description: 'Their product, exact at any size.' },
    AVERAGE: { description: 'Their mean, exact when its decimal ends, else rounded to 20 places.' },
  },
});

@ObjectType('CalculationResult', { description: 'What a completed calculation task answers.' })
class CalculationResult {
  @Field(() => CalculationOperation, { description: "What was computed: the task's operation." })
  operation!: CalculationOperation;

  @Field(() => String, {
    description: 'Exact: SUM and PRODUCT as whole numbers of any size; AVERAGE as a decimal (20 places at most).',
  })
  value!: string;

  @Field(() => Int, { description: 'How many numbers it was computed from.' })
  count!: number;
}

@ObjectType('CalculationTask', { implements: Task, description: 'Sums, multiplies or averages integers.' })
class CalculationTask extends Task {
  @Field(() => [Int], { description: `The integers it computes from, 1 to ${MAX_NUMBERS}, as given.` })
  numbers!: number[];

  @Field(() => CalculationOperation, { description: 'What it computes.' })
  operation!: CalculationOperation;

  @Field(() => CalculationResult, {
    nullable: true,
    description: 'Its result once COMPLETED; null until then, and for a task that did not complete.',
  })
  result!: CalculationResult | null;
}

@InputType('CreateCalculationTaskInput', { description: 'What a calculation task computes, and from what.' })
class CreateCalculationTaskInput {
  @Field(() => [Int], { description: `1 to ${MAX_NUMBERS} integers, each 32-bit (GraphQL's Int).` })
  numbers!: number[];

  @Field(() => CalculationOperation, { description: 'What to compute from them.' })
  operation!: CalculationOperation;
}

@Resolver()
class CalculationTaskResolver {
  @Mutation(() => CalculationTask, { description: 'Queues a calculation task.' })
  createCalculationTask(
    @Arg('input', () => CreateCalculationTaskInput, { description: INPUT_DESCRIPTION })
    input: CreateCalculationTaskInput,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('options', () => TaskOptionsInput, { nullable: true, description: OPTIONS_DESCRIPTION })
    options?: TaskOptionsInput | null,
  ): Promise<TaskView> {
    return context.tasks
      .create(calculationTask, { ...input }, context.caller, options && { ...options }, admittedField(context, info))
      .then((record) => viewOf(calculationTaskApi, record));
  }

  @Mutation(() => TaskSchedule, { description: 'Creates a calculation task at each due time of `schedule`.' })
  createCalculationTaskSchedule(
    @Arg('input', () => CreateCalculationTaskInput, { description: SCHEDULED_INPUT_DESCRIPTION })
    input: CreateCalculationTaskInput,
    @Arg('schedule', () => ScheduleInput, { description: SCHEDULE_DESCRIPTION }) schedule: ScheduleInput,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TaskScheduleView> {
    return context.schedules
      .create(calculationTask, { ...input }, { ...schedule }, context.caller, admittedField(context, info))
      .then(scheduleViewOf);
  }
}

export const calculationTaskApi: TaskKindApi = {
  kind: calculationTask,
  typeName: 'CalculationTask',
  objectType: CalculationTask,
  resolver: CalculationTaskResolver,
  createMutation: 'createCalculationTask',
  scheduleMutation: 'createCalculationTaskSchedule',
  fields: ({ input, result }) => {
    const { numbers, operation } = input as CalculationTaskInput;
    return { numbers, operation, result };
  },
};
