import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { TaskRecord } from '../../core/task-record.js';
import { TaskState } from '../../core/task-state.js';
import type { Context } from './context.js';
import { toTaskView } from './task-kinds.js';
import type { TaskView } from './task-view.js';
import { Task } from './task.type.js';

@ObjectType('PageInfo')
class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to read the next page.' })
  endCursor!: string | null;
}

@ObjectType('TaskConnection')
class TaskConnection {
  @Field(() => [Task])
  nodes!: TaskView[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Tasks matching the filters, on all pages.' })
  totalCount!: number;
}

/** The mutation that creates a task from another (admission.ts counts it as a creation). */
export const RETRY_MUTATION = 'retryTask';

@Resolver()
export class TaskResolver {
  @Query(() => Task, { nullable: true, description: 'null when the task is unknown or has expired.' })
  async task(@Arg('id', () => ID) id: string, @Ctx() { tasks, caller }: Context): Promise<TaskView | null> {
    const record = await tasks.get(id, caller);
    return record && toTaskView(record);
  }

  @Query(() => TaskConnection, { description: 'Newest first.' })
  async tasks(
    @Ctx() { tasks, caller }: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('state', () => TaskState, { nullable: true }) state?: TaskState | null,
    @Arg('name', () => String, { nullable: true }) name?: string | null,
  ): Promise<TaskConnection> {
    const page = await tasks.list({ first: first ?? 20, after, state, name }, caller);
    return {
      nodes: page.records.map(toTaskView),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      totalCount: page.totalCount,
    } satisfies TaskConnection;
  }

  @Mutation(() => Task, {
    description:
      'A queued task is cancelled at once; a running one stops within a second (its state may still be ACTIVE in this answer); a finished one is unchanged.',
  })
  async cancelTask(@Arg('id', () => ID) id: string, @Ctx() { tasks, caller }: Context): Promise<TaskView> {
    return toTaskView(await tasks.cancel(id, caller));
  }

  @Mutation(() => Task, {
    name: RETRY_MUTATION,
    description:
      'Creates a task of the same kind and input as a FAILED or CANCELLED one, whose `retryOf` names it. BAD_USER_INPUT for a task that has not ended or has completed.',
  })
  async retryTask(@Arg('id', () => ID) id: string, @Ctx() { tasks, caller }: Context): Promise<TaskView> {
    return toTaskView(await tasks.retry(id, caller));
  }

  @Mutation(() => Boolean, { description: 'Forgets a task, cancelling it first if it has not finished.' })
  deleteTask(@Arg('id', () => ID) id: string, @Ctx() { tasks, caller }: Context): Promise<boolean> {
    return tasks.remove(id, caller);
  }

  @Subscription(() => Task, {
    description: 'The task as it is now, then every change; ends after its terminal state.',
    subscribe: ({ args, context }) => {
      const { tasks, caller } = context as Context;
      return tasks.watch((args as { id: string }).id, caller);
    },
  })
  taskProgress(@Arg('id', () => ID) _id: string, @Root() record: TaskRecord): TaskView {
    return toTaskView(record);
  }

  @Subscription(() => Task, {
    description: 'Every change of every task, for lists.',
    subscribe: ({ context }) => {
      const { tasks, caller } = context as Context;
      return tasks.watchAll(caller);
    },
  })
  taskUpdated(@Root() record: TaskRecord): TaskView {
    return toTaskView(record);
  }
}
