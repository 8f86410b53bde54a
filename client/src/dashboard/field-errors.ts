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
 * The field a problem's path belongs to: itself, or the nearest field that holds it (an item of a
 * list, `input.numbers.3`, shows under the list).
 */
function fieldOf(path: string, fieldPaths: readonly string[]): string | undefined {
  if (fieldPaths.includes(path)) return path;
  const holders = fieldPaths.filter((field) => path.startsWith(`${field}.`) || path.startsWith(`${field}[`));
  return holders.sort((a, b) => b.length - a.length)[0];
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
    const field = path && fieldOf(path, fieldPaths);
    if (field) result.fields[field] ??= message;
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
      put(at, graphqlError.message.replace(/^Variable "\$\w+" got invalid value /, 'Invalid value '));
    }
  }
  return result;
}
