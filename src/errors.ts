import { isFailoverAnswer } from '../core/failover-errors.js';
import { HeaderMap } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { z } from 'zod';

export function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  return new GraphQLError(cause.message, { originalError: cause });
}

/** The same error with Apollo's code for its kind of failure, so that a client reads both transports alike. */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
}

export function notFound(id: string, what: 'task' | 'task schedule' = 'task'): GraphQLError {
  return new GraphQLError(`No ${what} with id "${id}"`, { extensions: { code: 'NOT_FOUND', id } });
}

/** A schedule past the number one owner may have (MAX_SCHEDULES_PER_OWNER). */
export function tooManySchedules(limit: number): GraphQLError {
  return new GraphQLError(`A caller may have at most ${limit} task schedules: delete one first`, {
    extensions: { code: 'TOO_MANY_SCHEDULES', limit },
  });
}

/** A create past the tasks one owner (or address) may have waiting at once (MAX_WAITING_PER_OWNER). */
export function tooManyWaitingTasks(limit: number): GraphQLError {
  return new GraphQLError(
    `A caller may have at most ${limit} tasks waiting to start (queued or delayed): create more as these start, or cancel some`,
    // 429 as RATE_LIMITED, also when a create's own script refuses it as it runs: it clears as tasks start.
    { extensions: { code: 'TOO_MANY_WAITING_TASKS', limit, http: { status: 429 } } },
  );
}

/**
 * A create under an idempotency key that an earlier create with other input or options took (the
 * task it names, `taskId`), or that another create of the same operation gives other input or
 * options (`taskId` null); `operationField` names the create in its operation.
 */
export function idempotencyConflict(key: string, taskId: string | null, operationField?: string): GraphQLError {
  const message = taskId
    ? `The idempotency key "${key}" was used for another request (task ${taskId}): use a new key for new input or options`
    : `The idempotency key "${key}" is given to creates of other input or options in one operation: use a key for each`;
  return new GraphQLError(message, {
    extensions: { code: 'CONFLICT', idempotencyKey: key, id: taskId, ...(operationField && { operationField }) },
  });
}

export interface InputIssue {
  path: readonly PropertyKey[];
  message: string;
  /** The operation's field the input belongs to, when an operation has several. */
  label?: string;
}

/** One error for all that is wrong with an argument, each problem with the path of its field. */
export function badUserInput(argument: string, issues: readonly InputIssue[]): GraphQLError {
  const labelled = new Set(issues.map((issue) => issue.label)).size > 1;
  const problems = issues.map(({ path, message, label }) => ({
    field: [argument, ...path].map(String).join('.'),
    message,
    ...(labelled && label !== undefined && { operationField: label }),
  }));
  const summary = problems
    .map(
      (problem) => `${problem.operationField ? `${problem.operationField}: ` : ''}${problem.field}: ${problem.message}`,
    )
    .join('; ');
  return new GraphQLError(`Invalid ${argument}: ${summary}`, {
    extensions: { code: 'BAD_USER_INPUT', argumentName: argument, problems },
  });
}

export function zodIssues(error: z.ZodError): InputIssue[] {
  return error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
}

export function rateLimited(what: string, retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`Too many ${what}: try again in ${retryAfterSeconds} s`, {
    extensions: { code: 'RATE_LIMITED', retryAfter: retryAfterSeconds },
  });
}

/**
 * The same error, answered over HTTP with this status (Apollo reads `extensions.http` and leaves it
 * out of the answer): for an operation refused as a whole before it runs.
 */
export function withHttpStatus(error: GraphQLError, status: number): GraphQLError {
  const headers = new HeaderMap();
  const retryAfter = error.extensions.retryAfter;
  if (typeof retryAfter === 'number') headers.set('retry-after', String(retryAfter));
  const extensions: Record<string, unknown> = { ...error.extensions, http: { status, headers } };
  return new GraphQLError(error.message, { nodes: error.nodes, originalError: error.originalError, extensions });
}

/**
 * ioredis gives up on a command after its retries while Redis is away, or on a closed connection;
 * the error may come wrapped, by a resolver's GraphQL error or by an operation's refusal.
 */
export function isRedisUnavailable(error: unknown): boolean {
  const cause = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (!(cause instanceof Error)) return false;
  return (
    cause.name === 'MaxRetriesPerRequestError' ||
    cause.name === 'ClusterAllFailedError' ||
    /Connection is closed|ECONNREFUSED|Stream isn't writeable|Too many Cluster redirections/.test(cause.message) ||
    isFailoverAnswer(cause)
  );
}

/**
 * The one formatError, Apollo's over HTTP and graphql-ws's through formatErrors: a request that
 * failed because Redis is away says so, with a code a client can retry on, instead of an internal
 * error.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (isRedisUnavailable(unwrapResolverError(error)) || isRedisUnavailable(error)) {
    return {
      ...formatted,
      message: 'The task store (Redis) is not available right now; try again shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    };
  }
  return formatted;
}

export type ErrorFormatter = (errors: readonly unknown[]) => GraphQLFormattedError[];

/**
 * Errors as Apollo answers them over HTTP, for the other transport: each one a GraphQL error with
 * a code (INTERNAL_SERVER_ERROR when it has none), without its HTTP part, with its stack trace
 * only when asked for, then through formatError.
 */
export function createErrorFormatter({ includeStacktrace }: { includeStacktrace: boolean }): ErrorFormatter {
  const enrich = (error: unknown): GraphQLFormattedError => {
    const graphqlError = asGraphQLError(error);
    const extensions = { ...graphqlError.extensions };
    delete extensions.http; // what Apollo answers over HTTP with; nothing for the client to read
    return {
      ...graphqlError.toJSON(),
      extensions: {
        ...extensions,
        code: extensions.code ?? 'INTERNAL_SERVER_ERROR',
        ...(includeStacktrace && { stacktrace: graphqlError.stack?.split('\n') }),
      },
    };
  };
  return (errors) =>
    errors.map((error) => {
      try {
        return formatError(enrich(error), error);
      } catch {
        return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
    });
}
