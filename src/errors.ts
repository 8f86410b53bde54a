import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { z } from 'zod';

export function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return new GraphQLError(error instanceof Error ? error.message : String(error));
}

export function notFound(id: string): GraphQLError {
  return new GraphQLError(`No task with id "${id}"`, { extensions: { code: 'NOT_FOUND', id } });
}

/** One error for all that is wrong with an argument, each problem with the path of its field. */
export function badUserInput(argument: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
  const problems = issues.map((issue) => ({
    field: [argument, ...issue.path].map(String).join('.'),
    message: issue.message,
  }));
  const summary = problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
  return new GraphQLError(`Invalid ${argument}: ${summary}`, {
    extensions: { code: 'BAD_USER_INPUT', argumentName: argument, problems },
  });
}

export function zodIssues(error: z.ZodError) {
  return error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
}

/** ioredis gives up on a command after its retries while Redis is away, or on a closed connection. */
function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|ECONNREFUSED|Stream isn't writeable/.test(error.message)
  );
}

/**
 * Apollo's formatError: a request that failed because Redis is away says so, with a code a client
 * can retry on, instead of an internal error.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (isRedisUnavailable(unwrapResolverError(error))) {
    return {
      ...formatted,
      message: 'The task store (Redis) is not available right now; try again shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    };
  }
  return formatted;
}
