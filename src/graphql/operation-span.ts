import { context, trace, type Context as TraceContext, type Span } from '@opentelemetry/api';
import type { OperationDefinitionNode } from 'graphql';
import type { TaskService } from '../tasks/task-service.js';

/**
 * One span per GraphQL operation, over HTTP (an Apollo plugin, http/operation-span-plugin.ts) and
 * over WebSocket (graphql-ws's hooks, ws/traced-operations.ts) alike, named and described as
 * OpenTelemetry's GraphQL conventions say.
 */

/** Its name until the operation is known (the conventions' own). */
export const UNKNOWN_OPERATION = 'GraphQL Operation';

export function describeOperation(span: Span, operation: OperationDefinitionNode): void {
  const name = operation.name?.value;
  span.updateName(name ? `${operation.operation} ${name}` : operation.operation);
  span.setAttribute('graphql.operation.type', operation.operation);
  if (name) span.setAttribute('graphql.operation.name', name);
}

/**
 * The task service with each call run under the operation's span, for the resolvers of that one
 * operation: what a call starts (a task's enqueue, and so its whole run) is the operation's child.
 * Neither Apollo's plugins nor graphql-ws's hooks run the resolvers themselves, so the span cannot
 * simply be active around them; each operation has a context of its own (Apollo clones it for
 * every request, graphql-ws's is ours), which this goes into.
 */
export function tasksWithin(tasks: TaskService, span: Span): TaskService {
  const within: TraceContext = trace.setSpan(context.active(), span);
  const under =
    <Args extends unknown[], Result>(method: (...args: Args) => Result) =>
    (...args: Args): Result =>
      context.with(within, method, tasks, ...args);
  return {
    admit: under(tasks.admit),
    create: under(tasks.create),
    get: under(tasks.get),
    list: under(tasks.list),
    cancel: under(tasks.cancel),
    remove: under(tasks.remove),
    watch: under(tasks.watch),
    watchAll: under(tasks.watchAll),
    workers: under(tasks.workers),
    retry: under(tasks.retry),
    timeline: under(tasks.timeline),
    history: under(tasks.history),
    watchWorkers: under(tasks.watchWorkers),
  };
}
