import 'reflect-metadata'; // type-graphql's decorators read it
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Resolver, type ClassType } from 'type-graphql';
import type { TaskKind } from '../../core/task-kinds/index.js';
import type { TaskRecord } from '../../core/task-record.js';
import { admittedField, type Context } from './context.js';
import {
  INPUT_DESCRIPTION,
  OPTIONS_DESCRIPTION,
  SCHEDULE_DESCRIPTION,
  SCHEDULED_INPUT_DESCRIPTION,
} from './descriptions.js';
import { plainInput } from './plain-input.js';
import { kindWords, type TaskKindTypes } from './task-kind-types.js';
import type { TaskView } from './task-view.js';
import { TaskOptionsInput } from './task-options.input.js';
import { ScheduleInput, scheduleViewOf, TaskSchedule, type TaskScheduleView } from './task-schedule.type.js';

export interface TaskKindMutations {
  resolver: ClassType;
  createMutation: string;
  scheduleMutation: string;
}

/** Declares `method` on `target` as type-graphql's method decorators expect it. */
function defineMethod(target: ClassType, name: string, method: (...args: never[]) => unknown) {
  Object.defineProperty(target.prototype, name, { value: method, writable: true, configurable: true });
  return Object.getOwnPropertyDescriptor(target.prototype, name)!;
}

/**
 * A kind's typed mutations, `create<Type>` and `create<Type>Schedule`, as a resolver class made
 * with type-graphql's decorators. `view` turns the created record into the kind's type.
 */
export function buildTaskKindResolver(
  kind: TaskKind,
  { typeName, objectType, inputType }: TaskKindTypes,
  view: (record: TaskRecord) => TaskView,
): TaskKindMutations {
  const words = kindWords(kind.name);
  const createMutation = `create${typeName}`;
  const scheduleMutation = `create${typeName}Schedule`;
  const resolver = class {};
  Object.defineProperty(resolver, 'name', { value: `${typeName}Resolver` });
  const prototype = resolver.prototype as object;

  const create = defineMethod(
    resolver,
    createMutation,
    (input: object, context: Context, info: GraphQLResolveInfo, options?: TaskOptionsInput | null) =>
      context.tasks
        .create(kind, plainInput(input), context.caller, options && { ...options }, admittedField(context, info))
        .then(view),
  );
  Arg('input', () => inputType, { description: INPUT_DESCRIPTION })(prototype, createMutation, 0);
  Ctx()(prototype, createMutation, 1);
  Info()(prototype, createMutation, 2);
  Arg('options', () => TaskOptionsInput, { nullable: true, description: OPTIONS_DESCRIPTION })(
    prototype,
    createMutation,
    3,
  );
  Mutation(() => objectType, { description: `Queues a ${words} task.` })(prototype, createMutation, create);

  const schedule = defineMethod(
    resolver,
    scheduleMutation,
    (input: object, asked: ScheduleInput, context: Context, info: GraphQLResolveInfo): Promise<TaskScheduleView> =>
      context.schedules
        .create(kind, plainInput(input), { ...asked }, context.caller, admittedField(context, info))
        .then(scheduleViewOf),
  );
  Arg('input', () => inputType, { description: SCHEDULED_INPUT_DESCRIPTION })(prototype, scheduleMutation, 0);
  Arg('schedule', () => ScheduleInput, { description: SCHEDULE_DESCRIPTION })(prototype, scheduleMutation, 1);
  Ctx()(prototype, scheduleMutation, 2);
  Info()(prototype, scheduleMutation, 3);
  Mutation(() => TaskSchedule, { description: `Creates a ${words} task at each due time of \`schedule\`.` })(
    prototype,
    scheduleMutation,
    schedule,
  );

  Resolver()(resolver);
  return { resolver, createMutation, scheduleMutation };
}
