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
  // Every call of the service, derived from it, so that a call added to it is traced too.
  const calls = Object.entries(tasks).map(([name, call]) => [
    name,
    (...args: unknown[]) => context.with(within, call as (...args: unknown[]) => unknown, tasks, ...args),
  ]);
  return Object.fromEntries(calls) as TaskService;
}
