/**
 * Peer (a) of the `create` suite: createSleepTask without GraphQL. A bare node:http handler that
 * reads the same JSON body and calls the API's own task service: admits the creation (its input
 * checked, one taken from the same creation rate limit) and creates the task, the same Redis work
 * as the API; then answers the same JSON shape. It parses no GraphQL: the duration is read from
 * the document with a regular expression. The floor any GraphQL server pays on top of.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { runUntilSignal } from '../../core/entry-point.js';
import type { Logger } from '../../core/logger.js';
import sleepTask from '../../tasks/sleep.js';
import { AdmittedOperation } from '../../src/tasks/admitted-operation.js';
import { createTaskContext, type TaskContext } from './task-context.js';
import { closeServer, listen } from './listen.js';

const DURATION = /\bcreateSleepTask\s*\(\s*input\s*:\s*\{\s*duration\s*:\s*(-?\d+)\s*\}\s*\)/;

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function createSleepTask(context: TaskContext, req: IncomingMessage, res: ServerResponse) {
  const body = await readJson(req).catch(() => null);
  const query = typeof body === 'object' && body !== null && 'query' in body ? body.query : null;
  const match = typeof query === 'string' ? DURATION.exec(query) : null;
  if (!match) return send(res, 400, { errors: [{ message: 'not a createSleepTask mutation' }] });
  const input = { duration: Number(match[1]) };
  const { tasks, caller } = context.contextFor(req.socket.remoteAddress);
  const creation = { action: 'create', kind: sleepTask, input, label: 'createSleepTask' } as const;
  try {
    tasks.check([creation]);
    // A create alone holds nothing: there is nothing to release.
    await tasks.admit([creation], caller, new AdmittedOperation(() => undefined), true);
  } catch (error) {
    return send(res, 400, { errors: [{ message: (error as Error).message }] });
  }
  const record = await tasks.create(sleepTask, input, caller);
  send(res, 200, { data: { createSleepTask: { id: record.id, state: record.state } } });
}

let logger: Logger | undefined;

await runUntilSignal(
  async () => {
    const context = await createTaskContext('bench-bare');
    logger = context.logger;
    const server = createServer((req, res) => {
      const route = async () => {
        if (req.url === '/readyz') return send(res, (await context.ready()) ? 200 : 503, 'ready');
        if (req.url === '/graphql' && req.method === 'POST') return createSleepTask(context, req, res);
        send(res, 404, 'Not found');
      };
      route().catch((error: unknown) => {
        context.logger.error({ err: error }, 'request failed');
        if (!res.headersSent) send(res, 500, { errors: [{ message: 'Internal error' }] });
        else res.destroy();
      });
    });
    await listen(server, context.config.http);
    return {
      stopDeadlineMs: 15_000,
      async close() {
        await closeServer(server);
        await context.close();
      },
    };
  },
  { logger: () => logger },
);
