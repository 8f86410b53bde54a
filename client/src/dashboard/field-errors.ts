import { CombinedGraphQLErrors } from '@apollo/client/errors';

/** Messages by input field (`duration`, `numbers`, ...), plus one for what belongs to no field. */
export interface FieldErrors {
  fields: Record<string, string>;
  form: string | null;
}

interface Problem {
  field: string;
  message: string;
}

/**
 * Reads the server's BAD_USER_INPUT errors into messages per field: `problems` lists them with
 * their path (`input.duration`); a value GraphQL itself refused names its path in the message.
 */
export function fieldErrors(error: unknown, fieldNames: readonly string[]): FieldErrors {
  const result: FieldErrors = { fields: {}, form: null };
  if (!CombinedGraphQLErrors.is(error)) {
    result.form = error instanceof Error ? error.message : String(error);
    return result;
  }
  for (const graphqlError of error.errors) {
    const problems = graphqlError.extensions?.problems as Problem[] | undefined;
    if (problems) {
      for (const problem of problems) {
        const field = problem.field.split('.')[1] ?? '';
        if (fieldNames.includes(field)) result.fields[field] ??= problem.message;
        else result.form ??= problem.message;
      }
      continue;
    }
    const named = fieldNames.find((field) => graphqlError.message.includes(`input.${field}`));
    if (named)
      result.fields[named] ??= graphqlError.message.replace(/^Variable "\$input" got invalid value /, 'Invalid value ');
    else result.form ??= graphqlError.message;
  }
  return result;
}
