import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { isSubscriptionOperation } from '@apollo/client/utilities';
import type { Auth } from './auth';
import { authLink } from './auth-link';
import type { Connection } from './connection';
import type { TasksQuery } from './generated/graphql';
import generatedPossibleTypes from './generated/possible-types';
import { newestTaskLink } from './newest-task-link';
import { persistedDocumentLink } from './persisted-document-link';
import { createTaskTypes, taskKindsPolicy } from './task-types';

type TaskConnection = TasksQuery['tasks'];

/**
 * Queries and mutations over HTTP, subscriptions over the graphql-ws connection, both with the
 * signed-in token when there is one, and each operation by its document id (persisted-document-link.ts). Tasks are normalised by id, so every event of a subscription
 * updates each row that shows the task, and only ever with a newer copy (newest-task-link.ts),
 * whatever its kind: the types of the kinds are learnt from `taskKinds` (task-types.ts).
 */
export function createApolloClient(connection: Connection, auth: Auth): ApolloClient {
  const taskTypes = createTaskTypes(() => cache);
  const cache: InMemoryCache = new InMemoryCache({
    possibleTypes: generatedPossibleTypes.possibleTypes,
    typePolicies: {
      Query: {
        fields: {
          taskKinds: taskKindsPolicy(taskTypes),
          tasks: {
            keyArgs: ['state', 'name'],
            // A page read with `after` extends the list; one without replaces it.
            merge(existing: TaskConnection | undefined, incoming: TaskConnection, { args }) {
              if (!existing || !args?.after) return incoming;
              return { ...incoming, nodes: [...existing.nodes, ...incoming.nodes] };
            },
          },
        },
      },
    },
  });
  const client = new ApolloClient({
    cache,
    link: ApolloLink.from([
      newestTaskLink(cache, taskTypes),
      persistedDocumentLink(),
      ApolloLink.split(
        ({ query }) => isSubscriptionOperation(query),
        new GraphQLWsLink(connection.ws),
        ApolloLink.from([authLink(auth), new HttpLink({ uri: '/graphql' })]),
      ),
    ]),
  });
  // After the API was away, read again everything on screen: changes made meanwhile were not pushed.
  connection.onReconnected(() => void client.refetchQueries({ include: 'active' }));
  // Signed in or out: what was read as someone else (or refused) is dropped, and read again.
  let token = auth.token();
  auth.onChange(() => {
    if (auth.token() === token) return;
    token = auth.token();
    void client.resetStore().catch(() => undefined); // a refusal shows in the sign-in box
  });
  return client;
}
