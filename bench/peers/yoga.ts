/**
 * Peer (c) of the `create` suite: GraphQL Yoga on node:http, serving the API's schema with the same
 * context and the same admission of each operation (in an envelop plugin's onExecute). Yoga's
 * defaults, minus the GraphiQL page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createYoga, type Plugin } from 'graphql-yoga';
import { runUntilSignal } from '../../core/entry-point.js';
import type { Logger } from '../../core/logger.js';
import type { Context } from '../../src/graphql/context.js';
import { admit, createTaskContext } from './task-context.js';
import { closeServer, listen } from './listen.js';

let logger: Logger | undefined;

await runUntilSignal(
  async () => {
    const context = await createTaskContext('bench-yoga');
    logger = context.logger;
    const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }>({
      schema: context.backend.schema,
      plugins: [
        {
          async onExecute({ args }: Parameters<NonNullable<Plugin['onExecute']>>[0]) {
            const { document, operationName, variableValues, contextValue } = args;
            await admit(context, {
              document,
              operationName,
              variables: variableValues,
              caller: (contextValue as unknown as Context).caller,
            });
          },
        },
      ],
      graphiql: false,
      logging: 'warn',
      context: ({ req }) => context.contextFor(req.socket.remoteAddress),
    });
    const server = createServer((req, res) => {
      if (req.url === '/readyz') {
        void context.ready().then((ready) => {
          res.writeHead(ready ? 200 : 503).end(ready ? 'ready' : 'Redis does not answer');
        });
        return;
      }
      void yoga(req, res);
    });
    await listen(server, context.config.http);
    return {
      stopDeadlineMs: 15_000,
      async close() {
        await closeServer(server);
        await yoga.dispose();
        await context.close();
      },
    };
  },
  { logger: () => logger },
);
