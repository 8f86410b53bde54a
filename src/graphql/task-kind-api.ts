import type { ClassType } from 'type-graphql';
import type { TaskKind } from '../../core/task-kinds/index.js';
import type { TaskRecord } from '../../core/task-record.js';

/**
 * The API's side of a task kind, derived from its definition: its GraphQL type, its create and
 * schedule mutations, and how a record maps to it.
 */
export interface TaskKindApi {
  kind: TaskKind;
  typeName: string;
  objectType: ClassType;
  resolver: ClassType;
  /** Its create mutation, whose `input` argument the kind's schema checks. */
  createMutation: string;
  /** Its schedule mutation, whose `input` the kind's schema checks and whose `schedule` the schedule service does. */
  scheduleMutation: string;
  /** The fields only this kind has, read from the stored input, result and latest step. */
  fields(record: TaskRecord): Record<string, unknown>;
}
