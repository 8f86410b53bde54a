import { GraphQLError } from 'graphql';
import type { z } from 'zod';

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
