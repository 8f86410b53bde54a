import type { MessagePort as ThreadPort } from 'node:worker_threads';
import type { TaskLogLevel, TimeLimit } from '../core/task-definition.js';

/**
 * What goes between the worker's main thread and a thread that runs a kind (`isolation: 'thread'`):
 * the thread runs, the main thread records. Every value crosses by structured clone.
 */

/** One run, as worker/thread-runs.ts hands it to worker/thread-entry.ts. */
export interface ThreadRunRequest {
  /** The kind's file (a URL), which the thread loads, and the kind it must define. */
  file: string;
  kind: string;
  /** Checked by the kind's schema already, in the main thread. */
  input: unknown;
  attempt: number;
  timeLimit: TimeLimit;
  /** The level of the run's logger: the thread writes only what the main thread would. */
  logLevel: string;
  /** The run's own channel to the main thread (ThreadMessage one way, MainMessage the other). */
  port: ThreadPort;
}

/** An error as it crosses: structured clone keeps no class but Error's own. */
export interface ThreadError {
  name: string;
  message: string;
  stack?: string;
}

/** How the run ended in its thread: its result, or what it threw. */
export type ThreadRunAnswer = { ok: true; result: unknown } | { ok: false; error: ThreadError };

/** From the thread: a step to record (answered by its id), a line for the task's log, or one for the worker's. */
export type ThreadMessage =
  | { type: 'progress'; id: number; current: number; detail: unknown }
  | { type: 'log'; message: string; level: TaskLogLevel }
  | { type: 'logger'; line: string }
  /** Its last message: what it sent before has been handled once this is. */
  | { type: 'end' };

/** From the main thread: step `id` was recorded, or the run must stop (cancelled, out of time, a bad detail). */
export type MainMessage = { type: 'progressed'; id: number } | { type: 'stop'; id: number; message: string };
