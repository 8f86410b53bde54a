import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Field, Int, ObjectType } from 'type-graphql';
import { TaskState } from '../../core/task-state.js';
import { DateTimeScalar } from './date-time.scalar.js';

@ObjectType('TaskEvent', {
  description:
    "One change in a task's timeline: queued, started, a step, a run ended or handed back for another attempt, cancelled.",
})
export class TaskEvent {
  @Field(() => DateTimeScalar, { description: 'When the change was made.' })
  at!: Date;

  @Field(() => TaskState, { description: 'The state the change left the task in.' })
  state!: TaskState;

  @Field(() => Int, { nullable: true, description: 'Steps done by then, for a step and an end.' })
  current!: number | null;

  @Field(() => Int, { nullable: true, description: 'Steps in all, for a step and an end.' })
  total!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'The run it belongs to: 1 for the first, 2 after a retry or a crash.',
  })
  attempt!: number | null;

  @Field(() => String, { nullable: true, description: 'The worker that started a run, or the error that ended it.' })
  message!: string | null;
}
