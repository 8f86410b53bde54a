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
import type { Logger } from '../../core/logger.js';
import { asGraphQLError, isRedisUnavailable, rateLimited, withHttpStatus } from '../errors.js';
import type { RateLimiter } from '../../core/rate-limiter.js';
import { AdmittedOperation } from '../tasks/admitted-operation.js';
import { limitKey, type Caller } from '../tasks/caller.js';
import type { ScheduleInput } from '../tasks/schedule-input.js';
import type { ScheduleRequest, ScheduleService } from '../tasks/schedule-service.js';
import type { TaskOptionsInput } from '../tasks/task-options.js';
import { isCreation, type TaskRequest, type TaskService } from '../tasks/task-service.js';
import { genericMutations, kindNamed } from './generic-task.resolver.js';
import { taskKindCreatedBy, taskKindScheduledBy } from './task-kinds.js';
import { DELETE_SCHEDULE_MUTATION } from './task-schedule.resolver.js';
import { taskMutations } from './task.resolver.js';

export interface OperationRequest {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  caller: Caller;
}

/**
 * An operation runs as a whole or not at all: whatever would make one of a mutation's fields fail
 * is found before any of them runs, so that an answer never hides work it started (GraphQL answers
 * `data: null` when a non-null root field fails, as every mutation's is, even though the fields
 * before it have run). Admission checks every creation's input (TaskService.check,
 * ScheduleService.check), spends the read budget, finds every task or schedule a field acts on as
 * that field will (one deleted by an earlier field is unknown), holds every idempotency key and
 * schedule slot the creations will take, so that no other request takes them meanwhile, and takes
 * the creation allowance for all of them in one step; refused, it gives back what it held.
 *
 * The other honest answer, each root field answering for itself with partial data, would need
 * nullable mutation fields (a change of the schema every client is typed by) and would break the
 * promise that an operation with one bad creation among good ones creates nothing.
 */
export interface Admission {
  /**
   * Over HTTP from an Apollo plugin, over graphql-ws from its onSubscribe hook: the operation
   * admitted (run it with `admitted` in its context, then release it), or the error to answer it
   * with, HTTP status included.
   */
  admit(request: OperationRequest): Promise<{ admitted: AdmittedOperation } | { refused: GraphQLError }>;
}

export interface AdmissionOptions {
  schema: GraphQLSchema;
  tasks: TaskService;
  schedules: ScheduleService;
  /** The cost of what each client may read over a window, mutations' answers included (see cost-limit-rule.ts). */
  readBudget: RateLimiter;
  /** The cost of a validated document's operation. */
  costOf(document: DocumentNode, operationName: string | null | undefined): number;
  logger: Logger;
}

/**
 * Bad input is answered as a resolver's error would be, 200 (a browser logs any other status as a
 * failed load: the dashboard shows the problem under its field instead).
 */
const statusOf: ReadonlyMap<unknown, number> = new Map([
  ['BAD_USER_INPUT', 200],
  ['NOT_FOUND', 200],
  ['CONFLICT', 200],
  ['TOO_MANY_SCHEDULES', 200],
  ['RATE_LIMITED', 429],
  ['TOO_MANY_WAITING_TASKS', 429],
]);

/**
 * The HTTP status of a refusal: 200 for bad input (an unknown task, an idempotency key taken by
 * other input, a schedule past the most one may have, too), 429 past a rate limit or the tasks one
 * may have waiting (both clear as time goes by), 503 while Redis is away.
 */
function refusal(error: unknown): GraphQLError {
  const graphqlError = asGraphQLError(error);
  const status = statusOf.get(graphqlError.extensions.code) ?? (isRedisUnavailable(error) ? 503 : 500);
  return withHttpStatus(graphqlError, status);
}

/** What a mutation's root fields ask of the tasks and the schedules, and how many of them only read. */
interface MutationRequests {
  tasks: TaskRequest[];
  schedules: ScheduleRequest[];
  /** Root fields that create nothing (a cancel, a delete): what they answer is charged to the read budget. */
  readers: number;
  /** Root fields, each response key once. */
  fields: number;
}

/** The mutations that act on a task by its id, by name. */
const taskActionOf: ReadonlyMap<string, 'cancel' | 'retry' | 'delete'> = new Map(
  Object.entries(taskMutations).map(([action, name]) => [name, action as keyof typeof taskMutations]),
);

export function createAdmission({ schema, tasks, schedules, readBudget, costOf, logger }: AdmissionOptions): Admission {
  const mutationType = schema.getMutationType();
  const newAdmitted = () =>
    new AdmittedOperation((error) =>
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'a hold was not given back'),
    );

  /**
   * What a mutation's root fields ask, in the order they run, of the tasks and of the schedules (a
   * schedule's creation is one of both), or null when its variables do not fit (execution says why).
   */
  function requestsOf(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
  ): MutationRequests | null {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return null;
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const requests: MutationRequests = { tasks: [], schedules: [], readers: 0, fields: 0 };
    const responseKeys = new Set<string>();
    for (const field of rootFields(operation.selectionSet, fragments, coerced.coerced)) {
      // Fields under one response key run once (validation has made sure they are the same).
      const label = field.alias?.value ?? field.name.value;
      if (responseKeys.has(label)) continue;
      responseKeys.add(label);
      requests.fields++;
      const name = field.name.value;
      const definition = mutationType?.getFields()[name];
      if (!definition) continue;
      const args = () => getArgumentValues(definition, field, coerced.coerced);
      const created = name === genericMutations.create ? kindNamed(String(args().kind)) : taskKindCreatedBy(name);
      const scheduled = name === genericMutations.schedule ? kindNamed(String(args().kind)) : taskKindScheduledBy(name);
      const taskAction = taskActionOf.get(name);
      if (created) {
        const { input, options } = args();
        requests.tasks.push({
          action: 'create',
          kind: created.kind,
          input,
          options: options as TaskOptionsInput,
          label,
        });
      } else if (scheduled) {
        const { input, schedule } = args();
        requests.tasks.push({ action: 'schedule', kind: scheduled.kind, input, label });
        const asked = schedule as ScheduleInput;
        requests.schedules.push({ action: 'create', kind: scheduled.kind, input, schedule: asked, label });
      } else if (taskAction) {
        requests.tasks.push({ action: taskAction, id: String(args().id), label });
        if (taskAction !== 'retry') requests.readers++;
      } else if (name === DELETE_SCHEDULE_MUTATION) {
        requests.schedules.push({ action: 'delete', id: String(args().id), label });
        requests.readers++;
      } else {
        requests.readers++;
      }
    }
    return requests;
  }

  /** Admits a mutation's requests (see Admission), giving back what it held when it refuses. */
  async function admitMutation(
    requests: MutationRequests,
    readCost: number,
    caller: Caller,
  ): Promise<AdmittedOperation> {
    schedules.check(requests.schedules);
    tasks.check(requests.tasks);
    await spendReads(caller, readCost);
    const admitted = newAdmitted();
    // One field alone hides nothing when it fails: it needs only what is spent before it runs.
    const alone = requests.fields === 1;
    try {
      await schedules.admit(requests.schedules, caller, admitted, alone);
      // Last: the creation allowance it takes last is not given back.
      await tasks.admit(requests.tasks, caller, admitted, alone);
    } catch (error) {
      await admitted.release();
      throw error;
    }
    return admitted;
  }

  async function spendReads(caller: Caller, cost: number) {
    if (cost <= 0) return;
    const allowed = await readBudget.take(limitKey(caller), cost);
    if (!allowed.allowed) throw rateLimited('reads', allowed.retryAfterSeconds);
  }

  return {
    async admit({ document, operationName, variables, caller }) {
      const operation = getOperationAST(document, operationName);
      try {
        if (operation?.operation !== 'mutation') {
          // A missing operation is execution's to answer.
          if (operation) await spendReads(caller, costOf(document, operationName));
          return { admitted: newAdmitted() };
        }
        const requests = requestsOf(document, operation, variables ?? {});
        if (!requests) return { admitted: newAdmitted() };
        // What a mutation's fields answer is read as a query's would be. A creation answers the one
        // task or schedule it makes, and the creation allowance bounds those (RATE_LIMIT_CREATES a
        // window): a mutation of creations alone reads nothing, and in another each creation's own
        // field is not counted twice.
        const creations = requests.tasks.filter(isCreation).length;
        const readCost = requests.readers === 0 ? 0 : costOf(document, operationName) - creations;
        return { admitted: await admitMutation(requests, readCost, caller) };
      } catch (error) {
        return { refused: refusal(error) };
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
