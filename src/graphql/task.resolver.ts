import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Ctx,
  Field,
  ID,
  Info,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
  Extensions,
} from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../core/limits.js';
import type { TaskRecord } from '../../core/task-record.js';
import { TaskState } from '../../core/task-state.js';
import { admittedField, type Context } from './context.js';
import { KIND_NAMES, TASK_ID_DESCRIPTION } from './descriptions.js';
import { toTaskView } from './task-kinds.js';
import type { TaskView } from './task-view.js';
import { Task } from './task.type.js';
import { listBound, pageArgument } from './list-bound.js';

@ObjectType('PageInfo', { description: 'Where a page of `tasks` ends.' })
class PageInfo {
  @Field(() => Boolean, {
    description:
      'Whether more tasks follow. A page may hold fewer than `first` tasks (some expired just now) and still have a next one.',
  })
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Pass as `after` to read the next page; null when the list had nothing past `after`.',
  })
  endCursor!: string | null;
}

@ObjectType('TaskConnection', {
  description: 'A page of tasks: the tasks themselves (there are no edges), where the page ends, and how many match.',
})
class TaskConnection {
  @Field(() => [Task], { description: "The page's tasks, newest first: `first` at most." })
  @Extensions(listBound({ items: 'page', largest: MAX_PAGE_SIZE }))
  nodes!: TaskView[];

  @Field(() => PageInfo, { description: 'Where the page ends, to read the next one.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Tasks matching the filters, on all pages.' })
  totalCount!: number;
}

/** The mutations that act on a task by its id, by what they do to it (admission.ts admits each so). */
export const taskMutations = { cancel: 'cancelTask', retry: 'retryTask', delete: 'deleteTask' } as const;

@Resolver()
export class TaskResolver {
  @Query(() => Task, { nullable: true, description: 'A task, or null when it is unknown or has expired.' })
  async task(
    @Arg('id', () => ID, { description: "The task's id." }) id: string,
    @Ctx() { tasks, caller }: Context,
  ): Promise<TaskView | null> {
    const record = await tasks.get(id, caller);
    return record && toTaskView(record);
  }

  @Extensions(listBound({ page: pageArgument('first', MAX_PAGE_SIZE) }))
  @Query(() => TaskConnection, {
    description:
      "The caller's tasks (every task with authentication off), newest first, a page at a time. Finished tasks are listed until they expire.",
  })
  async tasks(
    @Ctx() { tasks, caller }: Context,
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: 20,
      description: `Tasks on the page, 1 to ${MAX_PAGE_SIZE}; BAD_USER_INPUT otherwise.`,
    })
    first: number | null,
    @Arg('after', () => String, {
      nullable: true,
      description:
        'The `pageInfo.endCursor` of the page before; left out, the first page. BAD_USER_INPUT for a string that is not a cursor of this list.',
    })
    after?: string | null,
    @Arg('state', () => TaskState, {
      nullable: true,
      description: 'Only tasks in this state; any state when left out.',
    })
    state?: TaskState | null,
    @Arg('name', () => String, {
      nullable: true,
      description: `Only tasks of this kind (${KIND_NAMES}); any kind when left out. BAD_USER_INPUT for another name.`,
    })
    name?: string | null,
  ): Promise<TaskConnection> {
    const page = await tasks.list({ first: first ?? 20, after, state, name }, caller);
    return {
      nodes: page.records.map(toTaskView),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      totalCount: page.totalCount,
    } satisfies TaskConnection;
  }

  @Mutation(() => Task, {
    name: taskMutations.cancel,
    description:
      'A queued task is cancelled at once; a running one stops within a second (its state may still be ACTIVE in this answer); a finished one is unchanged.',
  })
  async cancelTask(
    @Arg('id', () => ID, { description: TASK_ID_DESCRIPTION }) id: string,
    @Ctx() { tasks, caller }: Context,
  ): Promise<TaskView> {
    return toTaskView(await tasks.cancel(id, caller));
  }

  @Mutation(() => Task, {
    name: taskMutations.retry,
    description:
      'Creates a task of the same kind and input as a FAILED or CANCELLED one, whose `retryOf` names it. BAD_USER_INPUT for a task that has not ended or has completed.',
  })
  async retryTask(
    @Arg('id', () => ID, { description: TASK_ID_DESCRIPTION }) id: string,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TaskView> {
    return toTaskView(await context.tasks.retry(id, context.caller, admittedField(context, info)));
  }

  @Mutation(() => Boolean, {
    name: taskMutations.delete,
    description: 'Forgets a task, cancelling it first if it has not finished; answers true.',
  })
  deleteTask(
    @Arg('id', () => ID, { description: TASK_ID_DESCRIPTION }) id: string,
    @Ctx() { tasks, caller }: Context,
  ): Promise<boolean> {
    return tasks.remove(id, caller);
  }

  @Subscription(() => Task, {
    description: 'The task as it is now, then every change; ends after its terminal state.',
    subscribe: ({ args, context }) => {
      const { tasks, caller } = context as Context;
      return tasks.watch((args as { id: string }).id, caller);
    },
  })
  taskProgress(
    @Arg('id', () => ID, { description: TASK_ID_DESCRIPTION }) _id: string,
    @Root() record: TaskRecord,
  ): TaskView {
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
