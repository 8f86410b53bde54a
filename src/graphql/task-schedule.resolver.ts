import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Extensions } from 'type-graphql';
import type { Context } from './context.js';
import { DateTimeScalar } from './date-time.scalar.js';
import { toTaskView } from './task-kinds.js';
import { scheduleViewOf, TaskSchedule, type TaskScheduleView } from './task-schedule.type.js';
import type { TaskView } from './task-view.js';
import { Task } from './task.type.js';
import { listBound } from './list-bound.js';
import { MAX_SCHEDULES_PER_OWNER } from '../../core/limits.js';

/** The mutation that deletes a schedule by its id (admission.ts admits it so). */
export const DELETE_SCHEDULE_MUTATION = 'deleteTaskSchedule';

/**
 * The schedules of every kind: listed, deleted, and their next run and latest task, read only when
 * an operation asks for them. Each kind's create mutation is its own (task-kind-api.ts).
 */
@Resolver(() => TaskSchedule)
export class TaskScheduleResolver {
  // The caller's schedules, as many as one owner may have (the list answers no more).
  @Extensions(listBound({ items: MAX_SCHEDULES_PER_OWNER }))
  @Query(() => [TaskSchedule], {
    description: "The caller's schedules (every schedule with authentication off), newest first.",
  })
  async taskSchedules(@Ctx() { schedules, caller }: Context): Promise<TaskScheduleView[]> {
    return (await schedules.list(caller)).map(scheduleViewOf);
  }

  @Mutation(() => Boolean, {
    name: DELETE_SCHEDULE_MUTATION,
    description: 'Stops its future runs and forgets it; the tasks it created stay, until they expire.',
  })
  deleteTaskSchedule(
    @Arg('id', () => ID, { description: "The schedule's id; NOT_FOUND when it is unknown." }) id: string,
    @Ctx() { schedules, caller }: Context,
  ): Promise<boolean> {
    return schedules.remove(id, caller);
  }

  @FieldResolver(() => DateTimeScalar, {
    nullable: true,
    description: 'When its next run is due. A run that falls due while no worker runs happens once one does.',
  })
  nextRunAt(@Root() schedule: TaskScheduleView, @Ctx() { schedules }: Context): Promise<Date | null> {
    return schedules.nextRunAt(schedule);
  }

  @FieldResolver(() => Task, {
    nullable: true,
    description: 'The task its latest run created; null before its first run, and once that task is gone.',
  })
  async lastTask(@Root() schedule: TaskScheduleView, @Ctx() { tasks, caller }: Context): Promise<TaskView | null> {
    if (!schedule.lastTaskId) return null;
    const record = await tasks.get(schedule.lastTaskId, caller);
    return record && toTaskView(record);
  }
}
