import { pino } from 'pino';
import { isTaskDefinition, type AnyTaskDefinition, type TaskContext } from '../core/task-definition.js';
import type { MainMessage, ThreadError, ThreadMessage, ThreadRunAnswer, ThreadRunRequest } from './thread-messages.js';

/**
 * The code of a worker thread (worker/thread-runs.ts's pool loads it): loads a kind's own file, runs
 * it, and sends its steps and log lines to the main thread, which records them as it does an inline
 * run's. The thread writes nothing to Redis and keeps no state between runs but the kinds it loaded.
 */

/** Under tsx (npm start, the tests) a kind's file is TypeScript: tsx's loader then goes in first, once. */
let typescriptLoader: Promise<void> | null = null;
const loaded = new Map<string, Promise<AnyTaskDefinition>>();

async function loadKind(file: string, name: string): Promise<AnyTaskDefinition> {
  if (file.endsWith('.ts')) {
    typescriptLoader ??= import('tsx/esm/api').then(({ register }) => void register());
    await typescriptLoader;
  }
  const exported = ((await import(file)) as { default?: unknown }).default;
  if (!isTaskDefinition(exported) || exported.name !== name) {
    throw new Error(`${file} does not define the task kind ${name} with defineTask({...})`);
  }
  return exported;
}

function threadError(error: unknown): ThreadError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

export default async function runInThread(request: ThreadRunRequest): Promise<ThreadRunAnswer> {
  const { port } = request;
  const send = (message: ThreadMessage) => port.postMessage(message);
  const controller = new AbortController();
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let lastId = 0;
  port.on('message', (message: MainMessage) => {
    const step = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.type === 'progressed') return step?.resolve();
    const reason = new Error(message.message);
    controller.abort(reason);
    step?.reject(reason);
  });
  // The worker's logger, in the main thread: its lines go there, to be written as the run's.
  const logger = pino(
    { level: request.logLevel, base: null },
    { write: (line: string) => send({ type: 'logger', line }) },
  );

  // One step in flight: a step is sent and the run goes on at once, waiting only for the step
  // before it to be recorded. A thread's compute then never waits on Redis, and a run that steps
  // faster than Redis records is held to its pace. (A run that must stop is stopped by ending its
  // thread, so the answer to a step need not be waited for to stop it.)
  let recorded: Promise<void> = Promise.resolve();
  const context: TaskContext<unknown> = {
    signal: controller.signal,
    attempt: request.attempt,
    timeLimit: request.timeLimit,
    logger,
    log: (message, level = 'info') => send({ type: 'log', message: String(message), level }),
    progress(current, detail) {
      controller.signal.throwIfAborted();
      const before = recorded;
      const id = ++lastId;
      recorded = new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        send({ type: 'progress', id, current, detail });
      });
      // Its failure reaches the next step, or the end.
      recorded.catch(() => undefined);
      return before;
    },
  };
  try {
    let kind = loaded.get(request.file);
    if (!kind) {
      kind = loadKind(request.file, request.kind);
      loaded.set(request.file, kind);
      kind.catch(() => loaded.delete(request.file));
    }
    const result: unknown = await (await kind).run(request.input, context);
    // The run ends once its last step is recorded (or refused), as an inline run's does.
    await recorded;
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error: threadError(error) };
  } finally {
    // The answer goes by another channel than the port: this tells the main thread that the log
    // lines sent before it are written before the run's end. The main thread closes the port.
    send({ type: 'end' });
  }
}
