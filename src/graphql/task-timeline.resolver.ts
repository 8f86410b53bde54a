import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { MAX_LOG_LINES_READ } from '../../core/limits.js';
import type { Context } from './context.js';
import { TaskEvent } from './task-event.type.js';
import { TaskLogLine } from './task-log.type.js';
import type { TaskView } from './task-view.js';
import { Task } from './task.type.js';

/**
 * `Task.timeline` and `Task.logs`, for every kind: read from Redis only when an operation asks for
 * them, for a task the caller has already been shown (its id and version name the timeline read
 * the subscribers of one change share).
 */
@Resolver(() => Task)
export class TaskTimelineResolver {
  @FieldResolver(() => [TaskEvent])
  timeline(@Root() task: TaskView, @Ctx() { tasks }: Context): Promise<TaskEvent[]> {
    return tasks.timeline(task);
  }

  // Described on the field itself (task.type.ts): type-graphql takes an interface field's description from there.
  @FieldResolver(() => [TaskLogLine])
  logs(
    @Root() task: TaskView,
    @Ctx() { tasks }: Context,
    @Arg('last', () => Int, { defaultValue: 100, description: `Lines to read, 1 to ${MAX_LOG_LINES_READ}.` })
    last: number,
  ): Promise<TaskLogLine[]> {
    return tasks.logs(task, last);
  }
}
