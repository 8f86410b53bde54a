import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { MAX_SCHEDULES_PER_OWNER } from '../../core/limits.js';
import type { ScheduleRecord } from '../../core/schedule-store.js';
import { MAX_EVERY_SECONDS } from '../tasks/schedule-input.js';
import { DateTimeScalar } from './date-time.scalar.js';
import { KIND_NAMES } from './descriptions.js';

@InputType('ScheduleInput', { description: 'When a schedule runs: `cron` or `everySeconds`, not both.' })
export class ScheduleInput {
  @Field(() => String, {
    nullable: true,
    description:
      'A cron expression, five fields or six with seconds first (`*/10 * * * * *`: every ten seconds), or a name such as `@hourly`.',
  })
  cron?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: `Seconds between runs, 1 to ${MAX_EVERY_SECONDS}: the first run is at once.`,
  })
  everySeconds?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'The IANA time zone of `cron` (such as Europe/Paris), for its hours and days; UTC when left out.',
  })
  timezone?: string | null;
}

@ObjectType('TaskSchedule', {
  description: `Creates a task of one kind and input at each due time, owned by its creator; at most ${MAX_SCHEDULES_PER_OWNER} per caller.`,
})
export class TaskSchedule {
  @Field(() => ID, { description: 'The `scheduleId` of every task it creates.' })
  id!: string;

  @Field(() => String, { description: `The kind of task it creates: ${KIND_NAMES}.` })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Its cron expression; null for an `everySeconds` schedule.' })
  cron!: string | null;

  @Field(() => Int, { nullable: true, description: 'Seconds between its runs; null for a `cron` schedule.' })
  everySeconds!: number | null;

  @Field(() => String, { nullable: true, description: 'The time zone of `cron`; null for UTC.' })
  timezone!: string | null;

  @Field(() => DateTimeScalar, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => Int, {
    description:
      "Runs that created no task, as its owner's creation allowance (RATE_LIMIT_CREATES per RATE_LIMIT_WINDOW, which each run takes one of) was spent.",
  })
  skippedRuns!: number;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the latest of its skipped runs was due; null when none was skipped.',
  })
  lastSkippedAt!: Date | null;
}

/**
 * What the resolvers hand to GraphQL: the stored fields, and what `nextRunAt` and `lastTask` are
 * read with when an operation asks for them (task-schedule.resolver.ts).
 */
export type TaskScheduleView = TaskSchedule & { lastTaskId: string | null };

export function scheduleViewOf(record: ScheduleRecord): TaskScheduleView {
  const { id, kind, cron, everySeconds, timezone, createdAt, lastTaskId, skippedRuns, lastSkippedAt } = record;
  return {
    id,
    name: kind,
    cron,
    everySeconds,
    timezone,
    createdAt,
    lastTaskId,
    skippedRuns,
    lastSkippedAt,
  } satisfies TaskScheduleView;
}
