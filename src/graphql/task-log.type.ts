import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Field, ObjectType } from 'type-graphql';
import { DateTimeScalar } from './date-time.scalar.js';

@ObjectType('TaskLogLine', {
  description:
    "A line of a task's log: what its processor wrote, and the worker's retries, stalls, timeouts and hand-backs.",
})
export class TaskLogLine {
  @Field(() => DateTimeScalar, { description: 'When it was written.' })
  at!: Date;

  @Field(() => String, { description: 'How much it matters: info, warn or error.' })
  level!: string;

  @Field(() => String, { description: 'What happened, in words.' })
  message!: string;
}
