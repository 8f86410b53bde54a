import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
// Node's own, which a worker thread can be given (the global one's type is the web's).
import { MessageChannel as ThreadChannel } from 'node:worker_threads';
import { UnrecoverableError } from 'bullmq';
import { Piscina } from 'piscina';
import type { Logger } from '../core/logger.js';
import type { TaskContext } from '../core/task-definition.js';
import { taskKindFile, type TaskKind } from '../core/task-kinds/index.js';
import type { MainMessage, ThreadError, ThreadMessage, ThreadRunAnswer, ThreadRunRequest } from './thread-messages.js';

/**
 * Runs the kinds declared `isolation: 'thread'` in worker threads of a Piscina pool, so that
 * CPU-bound work leaves the worker's event loop (every other run, the lock renewals, the cancel
 * channel) free. Steps and log lines come back as messages and are recorded by the caller's context,
 * as an inline run's are. Cancel and the time limit abort the run's signal, and Piscina terminates
 * its thread: that stops even a loop that never yields, at once.
 */
export interface ThreadRuns {
  run(kind: TaskKind, input: unknown, context: TaskContext<unknown>): Promise<unknown>;
  /** Terminates the threads; runs still going reject. */
  close(): Promise<void>;
}

export interface ThreadRunsOptions {
  /** The file a kind was loaded from, which its thread loads again; core/task-kinds by default. */
  kindFile?: (name: string) => URL | undefined;
  /**
   * Threads at once; runs beyond them wait for one. One per core by default: CPU-bound runs gain
   * nothing from more, and each thread holds its own heap.
   */
  maxThreads?: number;
}

/**
 * Added to a thread's nice value (Linux, macOS): the scheduler gives the worker's main thread the
 * core first when it wakes, so a busy thread does not delay the steps and lock renewals of the
 * other runs. Alone on its core, a thread still gets all of it.
 */
export const THREAD_NICENESS = 10;
/** A thread left idle this long ends; the next run starts another. */
const IDLE_THREAD_MS = 60_000; // one minute

// The thread's own file is TypeScript under tsx (npm start, the tests) and JavaScript under dist/.
const fromSource = import.meta.url.endsWith('.ts');
const entry = new URL(`./thread-entry${fromSource ? '.ts' : '.js'}`, import.meta.url);

/**
 * Under tsx, a worker thread starts without its loader (Node does not carry it over): Piscina loads
 * the thread's file with require(), which tsx's CommonJS hook then compiles. The thread registers
 * tsx's ESM loader itself before it imports a kind (worker/thread-entry.ts).
 */
function sourceExecArgv(): string[] {
  return ['--require', createRequire(import.meta.url).resolve('tsx/cjs')];
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A thread's error as the run's: a kind's UnrecoverableError stays one (no retry). */
function errorFrom({ name, message, stack }: ThreadError): Error {
  const error = name === 'UnrecoverableError' ? new UnrecoverableError(message) : new Error(message);
  if (stack) error.stack = stack;
  return error;
}

/** Writes a line of a thread's logger (pino JSON) with the run's logger, as the main thread's own. */
function relayLogLine(logger: Logger, line: string): void {
  try {
    const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string; time?: number };
    delete fields.time; // the main thread's logger writes its own
    const label = logger.levels.labels[level] as 'info' | undefined;
    if (label) logger[label](fields, msg);
  } catch {
    // a line that is not pino's JSON is dropped
  }
}

export function createThreadRuns({
  kindFile = taskKindFile,
  maxThreads = availableParallelism(),
}: ThreadRunsOptions = {}): ThreadRuns {
  let pool: Piscina<ThreadRunRequest, ThreadRunAnswer> | null = null;
  // Started with the first thread run: a worker that runs none starts no thread.
  const poolNow = () =>
    (pool ??= new Piscina({
      filename: entry.href,
      minThreads: 0,
      maxThreads,
      idleTimeout: IDLE_THREAD_MS,
      niceIncrement: process.platform === 'win32' ? 0 : THREAD_NICENESS,
      // The thread's event loop must run while it waits for its steps to be recorded, and after.
      atomics: 'disabled',
      ...(fromSource && { execArgv: sourceExecArgv() }),
    }));

  return {
    async run(kind, input, context) {
      const file = kindFile(kind.name);
      if (!file) {
        throw new UnrecoverableError(
          `${kind.name} runs in a thread (isolation: 'thread'), which loads it from its file of tasks/, and it has none`,
        );
      }
      const { port1: port, port2: threadPort } = new ThreadChannel();
      // Why the main thread stopped the run, when the thread then ends by itself (a bad detail).
      let refused: unknown = null;
      const answer = (message: MainMessage) => port.postMessage(message);
      let allHandled!: () => void;
      const handled = new Promise<void>((resolve) => (allHandled = resolve));
      port.on('message', (message: ThreadMessage) => {
        if (message.type === 'end') return allHandled();
        if (message.type === 'log') return context.log(message.message, message.level);
        if (message.type === 'logger') return relayLogLine(context.logger, message.line);
        const { id } = message;
        // A run goes on past a step until it hears back (worker/thread-entry.ts): once one was
        // refused, the steps it sent meanwhile are not recorded.
        if (refused) return answer({ type: 'stop', id, message: messageOf(refused) });
        context.progress(message.current, message.detail).then(
          () => answer({ type: 'progressed', id }),
          (error: unknown) => {
            refused ??= error;
            answer({ type: 'stop', id, message: messageOf(error) });
          },
        );
      });
      try {
        const request: ThreadRunRequest = {
          file: file.href,
          kind: kind.name,
          input,
          attempt: context.attempt,
          timeLimit: context.timeLimit,
          logLevel: context.logger.level,
          port: threadPort,
        };
        // An abort (cancel, time limit, shutdown) rejects with Piscina's AbortError, whose name the
        // worker reads as "see the signal's reason", and terminates the thread.
        const ended = await poolNow().run(request, { transferList: [threadPort], signal: context.signal });
        // Its last log lines, sent on the port before it answered, are written before its end.
        await handled;
        // A refused step fails the run, whatever the run did after it.
        if (refused) throw refused;
        if (ended.ok) return ended.result;
        throw errorFrom(ended.error);
      } finally {
        port.close();
      }
    },

    async close() {
      await pool?.destroy();
    },
  };
}
