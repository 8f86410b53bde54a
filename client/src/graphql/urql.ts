import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { createClient as createWsClient } from 'graphql-ws';
import schema from './generated/schema.js';

/**
 * urql with its normalised cache, subscriptions over graphql-ws. Graphcache needs the schema: both
 * kinds of task have a `result`, so without it `... on SleepTask` also matches a CalculationTask.
 * Pass `WebSocket` from `ws` in Node. (The dashboard itself uses Apollo Client: apollo.ts.)
 */
export function createUrqlClient(url: string, webSocketImpl?: unknown) {
  const ws = createWsClient({ url: url.replace(/^http/, 'ws'), webSocketImpl });
  const client = new Client({
    url,
    exchanges: [
      cacheExchange({
        schema,
        // Results have no id: they live inside their task.
        keys: { SleepTaskResult: () => null, CalculationResult: () => null },
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
