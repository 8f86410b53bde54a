import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Field, InputType, Int } from 'type-graphql';
import { MAX_PRIORITY } from '../../core/enqueue-task.js';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../tasks/task-options.js';
import { DateTimeScalar } from './date-time.scalar.js';

@InputType('TaskOptionsInput', { description: 'How and when a new task runs; every field may be left out.' })
export class TaskOptionsInput {
  @Field(() => String, {
    nullable: true,
    description: `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters. The same key with the same input and options, from the same caller, within IDEMPOTENCY_TTL seconds, answers the first task and creates nothing; with other input or options it answers CONFLICT.`,
  })
  idempotencyKey?: string | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'Start no earlier than this (at once if it has passed); at most MAX_DELAY seconds ahead. Not with delaySeconds.',
  })
  runAt?: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Start no earlier than this many seconds from now, 0 to MAX_DELAY. Not with runAt.',
  })
  delaySeconds?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `From 1 (most urgent) to ${MAX_PRIORITY}: among tasks waiting for a worker, lower numbers start first, equal ones in order of creation, and tasks without a priority after all those with one.`,
  })
  priority?: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "This task's own time limit in seconds, from 1 to the workers' (WORKER_MAX_TIMEOUT): the task fails when it runs longer.",
  })
  timeoutSeconds?: number | null;
}
