import { ApolloLink } from '@apollo/client';
import { ServerError } from '@apollo/client/errors';
import { tap } from 'rxjs';
import type { Auth } from './auth';

interface ErrorShape {
  message?: unknown;
  extensions?: { code?: unknown };
}

/** The message of the UNAUTHENTICATED error among `errors`, if there is one. */
function unauthenticated(errors: readonly ErrorShape[] | undefined): string | null {
  const error = errors?.find((candidate) => candidate.extensions?.code === 'UNAUTHENTICATED');
  return error ? String(error.message ?? 'Unauthenticated') : null;
}

/** A 401 that Apollo Client read as a failed fetch (an answer in plain application/json): its GraphQL errors. */
function refusalOf(error: unknown): string | null {
  if (!ServerError.is(error) || error.statusCode !== 401) return null;
  try {
    return unauthenticated((JSON.parse(error.bodyText) as { errors?: ErrorShape[] }).errors) ?? error.message;
  } catch {
    return error.message;
  }
}

/**
 * Sends the signed-in token with every request over HTTP (`Authorization: Bearer`), and tells the
 * sign-in what the service made of it: an UNAUTHENTICATED answer (HTTP 401) asks for a token.
 */
export function authLink(auth: Auth): ApolloLink {
  return new ApolloLink((operation, forward) => {
    const token = auth.token();
    if (token) {
      operation.setContext(({ headers }: { headers?: Record<string, string> }) => ({
        headers: { ...headers, authorization: `Bearer ${token}` },
      }));
    }
    return forward(operation).pipe(
      tap({
        next(result) {
          const refusal = unauthenticated(result.errors as readonly ErrorShape[] | undefined);
          if (refusal) auth.refused(refusal, token);
          else auth.accepted(token);
        },
        error(error: unknown) {
          const refusal = refusalOf(error);
          if (refusal) auth.refused(refusal, token);
        },
      }),
    );
  });
}
