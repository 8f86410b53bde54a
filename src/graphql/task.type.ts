import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Field, Float, ID, Int, InterfaceType, registerEnumType } from 'type-graphql';
import { TaskState } from '../../core/task-state.js';
import { DateTimeScalar } from './date-time.scalar.js';
import { TaskEvent } from './task-event.type.js';
import { TaskLogLine } from './task-log.type.js';

registerEnumType(TaskState, { name: 'TaskState', description: 'Where a task is in its life.' });

@InterfaceType('Task', {
  description: 'A background task. Its kind decides its input and result fields.',
  resolveType: (task: { typeName: string }) => task.typeName,
})
export abstract class Task {
  @Field(() => ID, {
    description:
      'Random and unguessable: a UUID, after its partition when tasks are spread over several (`p3-<uuid>`).',
  })
  id!: string;

  @Field(() => String, { description: 'The kind of task: sleep_task or calculation_task.' })
  name!: string;

  @Field(() => TaskState)
  state!: TaskState;

  @Field(() => Float, { description: 'Percent done, 0 to 100.' })
  progress!: number;

  @Field(() => Int, { description: 'Steps done (seconds slept, for a sleep task).' })
  current!: number;

  @Field(() => Int, { description: 'Steps in all.' })
  total!: number;

  @Field(() => String, { nullable: true, description: 'The worker that runs or ran the task.' })
  worker!: string | null;

  @Field(() => Int, { description: 'Runs started so far; more than 1 after a retry or a worker crash.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the task failed (or why its last attempt did).' })
  error!: string | null;

  @Field(() => Int, {
    description: 'Grows by one with every change of the task: of two copies of a task, the higher version is newer.',
  })
  version!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the task reached a terminal state.' })
  finishedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When a finished task will be forgotten.' })
  expiresAt!: Date | null;

  @Field(() => ID, { nullable: true, description: 'The task this one retries (retryTask), or null.' })
  retryOf!: string | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'For a delayed task: the time it starts no earlier than; set while it waits, and kept after.',
  })
  runAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'From 1 (most urgent) to 1000; null for none, which starts last.' })
  priority!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Its own time limit in seconds; null for the workers' (WORKER_MAX_TIMEOUT).",
  })
  timeoutSeconds!: number | null;

  @Field(() => ID, { nullable: true, description: 'The schedule that created it, or null.' })
  scheduleId!: string | null;

  /** Read when asked for, by TaskTimelineResolver. */
  @Field(() => [TaskEvent], {
    description:
      'Its changes, oldest first: queued, each run started and ended, its steps (about 40 a run at most, spread evenly), cancelled. The newest 100 are kept.',
  })
  timeline?: TaskEvent[];

  /** Read when asked for, by TaskTimelineResolver. */
  @Field(() => [TaskLogLine])
  logs?: TaskLogLine[];
}
