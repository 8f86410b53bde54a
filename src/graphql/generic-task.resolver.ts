import 'reflect-metadata'; // type-graphql's decorators read it as the module loads
import type { GraphQLResolveInfo } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, Info, Mutation, Query, Resolver, Extensions } from 'type-graphql';
import { taskShapeOf } from '../../core/task-kinds/task-shape.js';
import { badUserInput } from '../errors.js';
import { admittedField, type Context } from './context.js';
import {
  INPUT_DESCRIPTION,
  OPTIONS_DESCRIPTION,
  SCHEDULE_DESCRIPTION,
  SCHEDULED_INPUT_DESCRIPTION,
} from './descriptions.js';
import { TaskIsolation, TaskKindInfo } from './task-kind-info.type.js';
import { taskKindApiNamed, taskKindApis } from './task-kinds.js';
import type { TaskKindApi } from './task-kind-api.js';
import { viewOf, type TaskView } from './task-view.js';
import { TaskOptionsInput } from './task-options.input.js';
import { ScheduleInput, scheduleViewOf, TaskSchedule, type TaskScheduleView } from './task-schedule.type.js';
import { Task } from './task.type.js';
import { listBound } from './list-bound.js';

/** The creates that name their kind in an argument, as admission finds them. */
export const genericMutations = { create: 'createTask', schedule: 'createTaskSchedule' } as const;

export const KIND_DESCRIPTION =
  'The kind, as `taskKinds` names it (`_task` may be left out): BAD_USER_INPUT when unknown.';

/** The kind a generic create names: BAD_USER_INPUT naming `kind` when there is none. */
export function kindNamed(name: string): TaskKindApi {
  const api = taskKindApiNamed(name);
  if (api) return api;
  const known = taskKindApis.map((kind) => kind.kind.name).join(', ');
  throw badUserInput('kind', [
    { path: [], message: `no kind is named "${name.slice(0, 100)}"; the kinds are ${known}` },
  ]);
}

const infos: readonly TaskKindInfo[] = taskKindApis.map(({ kind, typeName }) => {
  const { jsonSchemas } = taskShapeOf(kind);
  return {
    name: kind.name,
    typeName,
    description: kind.description,
    isolation: kind.isolation === 'thread' ? TaskIsolation.THREAD : TaskIsolation.INLINE,
    inputSchema: jsonSchemas.input,
    resultSchema: jsonSchemas.result,
    progressSchema: jsonSchemas.progress,
  };
});

/**
 * The kinds as data, and a create and a schedule that take any of them by name: generic clients
 * (the dashboard, the command line) build their forms from `taskKinds` and keep one document
 * whatever the kinds are. Their input is checked by the kind's schema as a typed mutation's is.
 */
@Resolver()
export class GenericTaskResolver {
  @Extensions(listBound({ items: taskKindApis.length }))
  @Query(() => [TaskKindInfo], {
    description: 'Every kind of task the service runs, with the JSON Schemas of its input, result and steps.',
  })
  taskKinds(): readonly TaskKindInfo[] {
    return infos;
  }

  @Mutation(() => Task, {
    name: genericMutations.create,
    description: "Queues a task of any kind, its input checked by that kind's schema.",
  })
  createTask(
    @Arg('kind', () => String, { description: KIND_DESCRIPTION }) kind: string,
    @Arg('input', () => GraphQLJSON, { description: INPUT_DESCRIPTION }) input: unknown,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('options', () => TaskOptionsInput, { nullable: true, description: OPTIONS_DESCRIPTION })
    options?: TaskOptionsInput | null,
  ): Promise<TaskView> {
    const api = kindNamed(kind);
    return context.tasks
      .create(api.kind, input, context.caller, options && { ...options }, admittedField(context, info))
      .then((record) => viewOf(api, record));
  }

  @Mutation(() => TaskSchedule, {
    name: genericMutations.schedule,
    description: 'Creates a task of any kind at each due time of `schedule`.',
  })
  createTaskSchedule(
    @Arg('kind', () => String, { description: KIND_DESCRIPTION }) kind: string,
    @Arg('input', () => GraphQLJSON, { description: SCHEDULED_INPUT_DESCRIPTION }) input: unknown,
    @Arg('schedule', () => ScheduleInput, { description: SCHEDULE_DESCRIPTION }) schedule: ScheduleInput,
    @Ctx() context: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<TaskScheduleView> {
    return context.schedules
      .create(kindNamed(kind).kind, input, { ...schedule }, context.caller, admittedField(context, info))
      .then(scheduleViewOf);
  }
}
