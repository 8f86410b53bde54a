import type { ClassType } from 'type-graphql';
import type { TaskKind } from '../../core/task-kinds/index.js';
import type { TaskRecord } from '../../core/task-record.js';

/**
 * The API's side of a task kind: its GraphQL type, its create and schedule mutations, and how a
 * record maps to it.
 */
export interface TaskKindApi {
  kind: TaskKind;
  typeName: string;
  objectType: ClassType;
  resolver: ClassType;
  /** The name of its create mutation, whose `input` argument the kind's schema checks. */
  createMutation: string;
  /** The name of its schedule mutation, whose `input` the kind's schema checks and whose `schedule` the schedule service does. */
  scheduleMutation: string;
  /** The fields only this kind has, read from the stored input and result. */
  fields(record: TaskRecord): Record<string, unknown>;
}
