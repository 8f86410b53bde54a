import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { createClient as createWsClient } from 'graphql-ws';
import schema from './generated/schema.js';

const { queryType, mutationType, subscriptionType, types } = schema.__schema;
const roots = new Set([queryType.name, mutationType?.name, subscriptionType?.name]);

/**
 * Types with no `id` (a task's result, a log line) live inside what holds them: graphcache keys
 * them by nothing, whatever the kinds.
 */
const embedded = Object.fromEntries(
  types
    .filter((type) => type.kind === 'OBJECT' && !roots.has(type.name) && !type.fields.some(({ name }) => name === 'id'))
    .map((type) => [type.name, () => null]),
);

/**
 * urql with its normalised cache, subscriptions over graphql-ws. Graphcache needs the schema: every
 * kind of task has a `result`, so without it `... on SleepTask` also matches a CalculationTask.
 * Pass `WebSocket` from `ws` in Node. (The dashboard itself uses Apollo Client: apollo.ts.)
 */
export function createUrqlClient(url: string, webSocketImpl?: unknown) {
  const ws = createWsClient({ url: url.replace(/^http/, 'ws'), webSocketImpl });
  const client = new Client({
    url,
    exchanges: [
      cacheExchange({
        schema,
        keys: embedded,
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, close: () => ws.dispose() };
}
