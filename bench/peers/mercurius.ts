/**
 * Peer (b) of the `create` suite: Mercurius on Fastify, serving the API's schema with the same
 * context (a TaskService built as src/api.ts builds it), set up for production: its JIT compiles
 * a query from its first repeat on (`jit: 1`), no GraphiQL, Fastify's logger off.
 */
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { runUntilSignal } from '../../core/entry-point.js';
import type { Logger } from '../../core/logger.js';
import { createTaskContext, peerSchema } from './task-context.js';

let logger: Logger | undefined;

await runUntilSignal(
  async () => {
    const context = await createTaskContext('bench-mercurius');
    logger = context.logger;
    const app = Fastify({ logger: false });
    await app.register(mercurius, {
      schema: await peerSchema(context),
      jit: 1,
      graphiql: false,
      context: (request) => context.contextFor(request.socket.remoteAddress),
    });
    app.get('/readyz', async (_request, reply) => {
      const ready = await context.ready();
      return reply.code(ready ? 200 : 503).send(ready ? 'ready' : 'Redis does not answer');
    });
    await app.listen({ port: context.env.port, host: context.env.host });
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
