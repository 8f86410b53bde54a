import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Arg, Ctx, Field, InputType, Int, Mutation, ObjectType, registerEnumType, Resolver } from 'type-graphql';
import {
  calculationTask,
  CalculationOperation,
  type CalculationTaskInput,
} from '../../core/task-kinds/calculation-task.js';
import type { Context } from './context.js';
import type { TaskKindApi } from './task-kind-api.js';
import { viewOf, type TaskView } from './task-view.js';
import { TaskOptionsInput } from './task-options.input.js';
import { ScheduleInput, scheduleViewOf, TaskSchedule, type TaskScheduleView } from './task-schedule.type.js';
import { Task } from './task.type.js';

registerEnumType(CalculationOperation, { name: 'CalculationOperation' });

@ObjectType('CalculationResult')
class CalculationResult {
  @Field(() => CalculationOperation)
  operation!: CalculationOperation;

  @Field(() => String, {
    description: 'Exact: SUM and PRODUCT as whole numbers of any size; AVERAGE as a decimal (20 places at most).',
  })
  value!: string;

  @Field(() => Int, { description: 'How many numbers were used.' })
  count!: number;
}

@ObjectType('CalculationTask', { implements: Task, description: 'Sums, multiplies or averages integers.' })
class CalculationTask extends Task {
  @Field(() => [Int])
  numbers!: number[];

  @Field(() => CalculationOperation)
  operation!: CalculationOperation;

  @Field(() => CalculationResult, { nullable: true })
  result!: CalculationResult | null;
}

@InputType('CreateCalculationTaskInput')
class CreateCalculationTaskInput {
  @Field(() => [Int], { description: '1 to 100 integers.' })
  numbers!: number[];

  @Field(() => CalculationOperation)
  operation!: CalculationOperation;
}

@Resolver()
class CalculationTaskResolver {
  @Mutation(() => CalculationTask, { description: 'Queues a calculation task.' })
  createCalculationTask(
    @Arg('input', () => CreateCalculationTaskInput) input: CreateCalculationTaskInput,
    @Ctx() { tasks, caller }: Context,
    @Arg('options', () => TaskOptionsInput, { nullable: true }) options?: TaskOptionsInput | null,
  ): Promise<TaskView> {
    return tasks
      .create(calculationTask, { ...input }, caller, options && { ...options })
      .then((record) => viewOf(calculationTaskApi, record));
  }

  @Mutation(() => TaskSchedule, { description: 'Creates a calculation task at each due time of `schedule`.' })
  createCalculationTaskSchedule(
    @Arg('input', () => CreateCalculationTaskInput) input: CreateCalculationTaskInput,
    @Arg('schedule', () => ScheduleInput) schedule: ScheduleInput,
    @Ctx() { schedules, caller }: Context,
  ): Promise<TaskScheduleView> {
    return schedules.create(calculationTask, { ...input }, { ...schedule }, caller).then(scheduleViewOf);
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
