import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, Int, InterfaceType, registerEnumType, Extensions } from 'type-graphql';
import { MAX_PRIORITY } from '../../core/enqueue-task.js';
import { TaskState } from '../../core/task-state.js';
import { DateTimeScalar } from './date-time.scalar.js';
import { KIND_NAMES } from './descriptions.js';
import { TaskEvent } from './task-event.type.js';
import { TaskLogLine } from './task-log.type.js';
import { listBound, pageArgument } from './list-bound.js';
import { MAX_LOG_LINES_READ, TIMELINE_LENGTH } from '../../core/limits.js';

registerEnumType(TaskState, {
  name: 'TaskState',
  description: 'Where a task is in its life. COMPLETED, FAILED and CANCELLED are terminal: the task changes no more.',
  valuesConfig: {
    QUEUED: {
      description:
        'Waiting for a free worker: not started yet, delayed until its runAt, or handed back for another attempt.',
    },
    ACTIVE: { description: 'A worker runs it now (`worker` names it).' },
    COMPLETED: { description: 'Ended with its result.' },
    FAILED: { description: 'Ended without a result; `error` says why.' },
    CANCELLED: { description: 'Cancelled (cancelTask) before it ended.' },
  },
});

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

  @Field(() => String, { description: `The kind of task: ${KIND_NAMES}.` })
  name!: string;

  @Field(() => TaskState, { description: 'Where it is in its life.' })
  state!: TaskState;

  @Field(() => Float, { description: 'Percent done, 0 to 100: current / total * 100.' })
  progress!: number;

  @Field(() => Int, { description: 'Steps done (seconds slept, for a sleep task).' })
  current!: number;

  @Field(() => Int, { description: 'Steps in all (the duration, for a sleep task; 1 for a calculation).' })
  total!: number;

  @Field(() => String, {
    nullable: true,
    description: 'The name (and `Worker.id`) of the worker that runs or last ran it; null before its first start.',
  })
  worker!: string | null;

  @Field(() => Int, { description: 'Runs started so far; more than 1 after a retry or a worker crash.' })
  attempts!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Why it failed, or why its last attempt did; null when no attempt has failed, or once it completed.',
  })
  error!: string | null;

  @Field(() => Int, {
    description: 'Grows by one with every change of the task: of two copies of a task, the higher version is newer.',
  })
  version!: number;

  @Field(() => DateTimeScalar, { description: 'When it was created (and queued).' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When its latest run started; null until a worker first starts it.',
  })
  startedAt!: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When it reached a terminal state; null until then.',
  })
  finishedAt!: Date | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'When it will be forgotten: finishedAt plus RESULT_TTL seconds (as set when it was created); null until it ends.',
  })
  expiresAt!: Date | null;

  @Field(() => ID, { nullable: true, description: 'The task this one retries (retryTask), or null.' })
  retryOf!: string | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'For a delayed task: the time it starts no earlier than; set while it waits, and kept after.',
  })
  runAt!: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: `From 1 (most urgent) to ${MAX_PRIORITY}; null for none, which starts after every task that has one.`,
  })
  priority!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Its own time limit in seconds; null for the workers' (WORKER_MAX_TIMEOUT).",
  })
  timeoutSeconds!: number | null;

  @Field(() => ID, { nullable: true, description: 'The schedule that created it, or null.' })
  scheduleId!: string | null;

  @Field(() => GraphQLJSON, {
    description:
      "Its input as it was created, whatever its kind: what its kind's `inputSchema` (taskKinds) describes. Its kind's type has the same as typed fields.",
  })
  input!: unknown;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description:
      "Its result once COMPLETED, whatever its kind: what its kind's `resultSchema` (taskKinds) describes; null until then. Its kind's type has it typed as `result`.",
  })
  output!: unknown;

  /** Read when asked for, by TaskTimelineResolver. */
  // Asked for on a page of tasks, a timeline costs the page a hundred times over: one task's, or a few.
  @Extensions(listBound({ items: TIMELINE_LENGTH }))
  @Field(() => [TaskEvent], {
    description:
      'Its changes, oldest first: queued, each run started and ended, its steps (about 40 a run at most, spread evenly), cancelled. The newest 100 are kept.',
  })
  timeline?: TaskEvent[];

  /** Read when asked for, by TaskTimelineResolver. */
  // As long as `last` asks: its default of 100, or up to 10,000 lines for a variable.
  @Extensions(listBound({ itemsFrom: pageArgument('last', MAX_LOG_LINES_READ) }))
  @Field(() => [TaskLogLine], {
    description:
      "The newest lines of its log, oldest first. The log keeps MAX_TASK_LOG_LINES lines (the workers' setting) and expires with the task.",
  })
  logs?: TaskLogLine[];
}
