import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from './context.js';
import { TaskEvent } from './task-event.type.js';
import type { TaskView } from './task-view.js';
import { Task } from './task.type.js';

/**
 * `Task.timeline`, for every kind: read from Redis only when an operation asks for it, for a task
 * the caller has already been shown (its id and version name the read the subscribers of one
 * change share).
 */
@Resolver(() => Task)
export class TaskTimelineResolver {
  @FieldResolver(() => [TaskEvent])
  timeline(@Root() task: TaskView, @Ctx() { tasks }: Context): Promise<TaskEvent[]> {
    return tasks.timeline(task);
  }
}
