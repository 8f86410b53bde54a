/**
 * Peer (b) of the `create` suite: Mercurius on Fastify, serving the API's schema with the same
 * context and the same admission of each operation (in its preExecution hook), set up for
 * production: its JIT compiles a query from its first repeat on (`jit: 1`), no GraphiQL, Fastify's
 * logger off.
 */
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { runUntilSignal } from '../../core/entry-point.js';
import type { Logger } from '../../core/logger.js';
import type { Context } from '../../src/graphql/context.js';
import { admit, createTaskContext } from './task-context.js';

let logger: Logger | undefined;

await runUntilSignal(
  async () => {
    const context = await createTaskContext('bench-mercurius');
    logger = context.logger;
    const app = Fastify({ logger: false });
    await app.register(mercurius, {
      schema: context.backend.schema,
      jit: 1,
      graphiql: false,
      context: (request) => context.contextFor(request.socket.remoteAddress),
    });
    app.graphql.addHook('preExecution', async (_schema, document, request, variables) => {
      await admit(context, { document, variables, caller: (request as unknown as Context).caller });
    });
    app.get('/readyz', async (_request, reply) => {
      const ready = await context.ready();
      return reply.code(ready ? 200 : 503).send(ready ? 'ready' : 'Redis does not answer');
    });
    await app.listen(context.config.http);
    return {
      stopDeadlineMs: 15_000,
      async close() {
        await app.close();
        await context.close();
      },
    };
  },
  { logger: () => logger },
);
