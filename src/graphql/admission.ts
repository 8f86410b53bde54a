import {
  getArgumentValues,
  getDirectiveValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { asGraphQLError, isRedisUnavailable, rateLimited, withHttpStatus } from '../errors.js';
import type { RateLimiter } from '../../core/rate-limiter.js';
import { limitKey, type Caller } from '../tasks/caller.js';
import type { ScheduleInput } from '../tasks/schedule-input.js';
import type { ScheduleRequest, ScheduleService } from '../tasks/schedule-service.js';
import type { TaskOptionsInput } from '../tasks/task-options.js';
import type { CreateRequest, TaskService } from '../tasks/task-service.js';
import { taskKindCreatedBy, taskKindScheduledBy } from './task-kinds.js';
import { RETRY_MUTATION } from './task.resolver.js';

export interface OperationRequest {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  caller: Caller;
}

/**
 * Lets an operation run as a whole or not at all, before any of it runs (over HTTP from an Apollo
 * plugin, over graphql-ws from its onSubscribe hook): a mutation's creations are checked and paid
 * for together (ScheduleService.check for its schedules, then TaskService.admit for every task and
 * schedule, each one creation), so that an answer never hides a task or schedule it created; a
 * query or subscription spends its cost from the caller's read budget.
 */
export interface Admission {
  /** null when the operation may run; else the error to answer it with, HTTP status included. */
  admit(request: OperationRequest): Promise<GraphQLError | null>;
}

export interface AdmissionOptions {
  schema: GraphQLSchema;
  tasks: TaskService;
  schedules: ScheduleService;
  /** Query cost each client may spend over a window (see cost-limit-rule.ts for the cost). */
  readBudget: RateLimiter;
  /** The cost of a validated document's operation. */
  costOf(document: DocumentNode, operationName: string | null | undefined): number;
}

/**
 * Bad input is answered as a resolver's error would be, 200 (a browser logs any other status as a
 * failed load: the dashboard shows the problem under its field instead).
 */
const statusOf: ReadonlyMap<unknown, number> = new Map([
  ['BAD_USER_INPUT', 200],
  ['NOT_FOUND', 200],
  ['TOO_MANY_SCHEDULES', 200],
  ['RATE_LIMITED', 429],
]);

/**
 * The HTTP status of a refusal: 200 for bad input (an unknown task to retry too, a schedule past
 * the most one may have), 429 past a rate limit, 503 while Redis is away.
 */
function refusal(error: unknown): GraphQLError {
  const graphqlError = asGraphQLError(error);
  const status = statusOf.get(graphqlError.extensions.code) ?? (isRedisUnavailable(error) ? 503 : 500);
  return withHttpStatus(graphqlError, status);
}

export function createAdmission({ schema, tasks, schedules, readBudget, costOf }: AdmissionOptions): Admission {
  const mutationType = schema.getMutationType();

  /**
   * The creations a mutation asks for (a schedule is one too, of its kind and input) and the
   * schedules among them, or null when its variables do not fit (execution says why).
   */
  function creationsOf(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
  ): { creates: CreateRequest[]; schedules: ScheduleRequest[] } | null {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return null;
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const creates: CreateRequest[] = [];
    const scheduled: ScheduleRequest[] = [];
    const responseKeys = new Set<string>();
    for (const field of rootFields(operation.selectionSet, fragments, coerced.coerced)) {
      // Fields under one response key run once (validation has made sure they are the same).
      const responseKey = field.alias?.value ?? field.name.value;
      if (responseKeys.has(responseKey)) continue;
      responseKeys.add(responseKey);
      const schedules = taskKindScheduledBy(field.name.value);
      const api = taskKindCreatedBy(field.name.value) ?? schedules;
      const retries = field.name.value === RETRY_MUTATION;
      const definition = (api || retries) && mutationType?.getFields()[field.name.value];
      if (!definition) continue;
      const { input, options, id, schedule } = getArgumentValues(definition, field, coerced.coerced);
      if (schedules) {
        scheduled.push({ kind: schedules.kind, input, schedule: schedule as ScheduleInput, label: responseKey });
      }
      // A retry creates a task too: its own task is checked, and it takes its share of the allowance.
      creates.push(
        api
          ? { kind: api.kind, input, options: options as TaskOptionsInput | null, label: responseKey }
          : { retryOf: String(id), label: responseKey },
      );
    }
    return { creates, schedules: scheduled };
  }

  return {
    async admit({ document, operationName, variables, caller }) {
      const operation = getOperationAST(document, operationName);
      if (!operation) return null; // execution answers that
      try {
        if (operation.operation === 'mutation') {
          const creations = creationsOf(document, operation, variables ?? {});
          if (creations) {
            await schedules.check(creations.schedules, caller);
            await tasks.admit(creations.creates, caller);
          }
          return null;
        }
        const allowed = await readBudget.take(limitKey(caller), costOf(document, operationName));
        return allowed.allowed ? null : refusal(rateLimited('reads', allowed.retryAfterSeconds));
      } catch (error) {
        return refusal(error);
      }
    },
  };
}

/** The root fields an operation selects, through fragments, honouring @skip and @include. */
function* rootFields(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  seen = new Set<string>(),
): Generator<FieldNode> {
  for (const selection of selectionSet.selections) {
    if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true) continue;
    if (getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if === false) continue;
    if (selection.kind === Kind.FIELD) {
      yield selection;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      yield* rootFields(selection.selectionSet, fragments, variables, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value); // as graphql-js: each fragment once per selection
      const fragment = fragments.get(selection.name.value);
      if (fragment) yield* rootFields(fragment.selectionSet, fragments, variables, seen);
    }
  }
}
