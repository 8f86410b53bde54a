import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type FieldMergeFunction } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { isSubscriptionOperation } from '@apollo/client/utilities';
import type { Connection } from './connection';
import type { TasksQuery } from './generated/graphql';

type TaskConnection = TasksQuery['tasks'];

/**
 * Answers and events can arrive out of order (a create mutation's answer after the task's
 * COMPLETED event): of two copies of a task, keep the one with the higher version.
 */
const keepNewestTask: FieldMergeFunction = (existing, incoming, { readField, mergeObjects }) => {
  const version = (task: unknown) => (task ? (readField<number>('version', task as never) ?? -1) : -1);
  if (existing && version(existing) > version(incoming)) return existing;
  return existing ? mergeObjects(existing, incoming) : incoming;
};

/**
 * Queries and mutations over HTTP, subscriptions over the graphql-ws connection. Tasks are
 * normalised by id, so every event of a subscription updates each row that shows the task.
 */
export function createApolloClient(connection: Connection): ApolloClient {
  const client = new ApolloClient({
    link: ApolloLink.split(
      ({ query }) => isSubscriptionOperation(query),
      new GraphQLWsLink(connection.ws),
      new HttpLink({ uri: '/graphql' }),
    ),
    cache: new InMemoryCache({
      possibleTypes: { Task: ['SleepTask', 'CalculationTask'] },
      typePolicies: {
        SleepTask: { merge: keepNewestTask },
        CalculationTask: { merge: keepNewestTask },
        Query: {
          fields: {
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
    }),
  });
  // After the API was away, read again everything on screen: changes made meanwhile were not pushed.
  connection.onReconnected(() => void client.refetchQueries({ include: 'active' }));
  return client;
}
