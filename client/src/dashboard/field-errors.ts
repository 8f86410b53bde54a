import { CombinedGraphQLErrors } from '@apollo/client/errors';

/** Messages by argument field (`input.duration`, `options.priority`, ...), plus one for what belongs to no field. */
export interface FieldErrors {
  fields: Record<string, string>;
  form: string | null;
}

interface Problem {
  field: string;
  message: string;
}

/**
 * Reads the server's errors into messages per field: BAD_USER_INPUT lists its `problems` with their
 * path (`input.duration`, `options.priority`); a value GraphQL itself refused names its path in the
 * message; CONFLICT is an idempotency key taken by other input, which belongs to the key's field.
 */
export function fieldErrors(error: unknown, fieldPaths: readonly string[]): FieldErrors {
  const result: FieldErrors = { fields: {}, form: null };
  if (!CombinedGraphQLErrors.is(error)) {
    result.form = error instanceof Error ? error.message : String(error);
    return result;
  }
  const put = (path: string | undefined, message: string) => {
    if (path && fieldPaths.includes(path)) result.fields[path] ??= message;
    else result.form ??= message;
  };
  for (const graphqlError of error.errors) {
    const problems = graphqlError.extensions?.problems as Problem[] | undefined;
    if (problems) {
      for (const problem of problems) put(problem.field, problem.message);
    } else if (graphqlError.extensions?.code === 'CONFLICT') {
      put('options.idempotencyKey', graphqlError.message);
    } else {
      // `... at "input.numbers[3]"; Int cannot represent ...`: the field, or an item of it.
      const at = /at "([\w.]+)[["]/.exec(graphqlError.message)?.[1];
      const named = fieldPaths.find((path) => path === at);
      put(named, graphqlError.message.replace(/^Variable "\$\w+" got invalid value /, 'Invalid value '));
    }
  }
  return result;
}
