import { print } from 'graphql';
import { graphql } from '../graphql/generated';
import type { ExampleKind } from './examples';

/** What the playground's examples are written from: every kind, with the schemas of its input, result and steps. */
const PlaygroundTaskKindsQuery = graphql(`
  query PlaygroundTaskKinds {
    taskKinds {
      name
      typeName
      description
      inputSchema
      resultSchema
      progressSchema
    }
  }
`);

/**
 * The kinds the service runs, asked as GraphiQL asks everything (the text, over HTTP); none when
 * the service does not answer them (TRUSTED_DOCUMENTS=only, a sign-in needed): the playground then
 * opens with its fixed examples only.
 */
export async function fetchTaskKinds(url: string): Promise<ExampleKind[]> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: print(PlaygroundTaskKindsQuery), operationName: 'PlaygroundTaskKinds' }),
    });
    const answer = (await response.json()) as { data?: { taskKinds?: ExampleKind[] } | null };
    return answer.data?.taskKinds ?? [];
  } catch {
    return [];
  }
}
