import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_PRIORITY, type EnqueueOptions } from '../../core/enqueue-task.js';
import { zodIssues, type InputIssue } from '../errors.js';

/** What a create mutation's `options` argument holds, as GraphQL has coerced it. */
export interface TaskOptionsInput {
  idempotencyKey?: string | null;
  runAt?: Date | null;
  delaySeconds?: number | null;
  priority?: number | null;
  timeoutSeconds?: number | null;
}

export interface TaskOptionLimits {
  /** How far ahead a task may be delayed (MAX_DELAY), in milliseconds. */
  maxDelayMs: number;
  /** The workers' limit (WORKER_MAX_TIMEOUT), in milliseconds: a task's own may not be longer. */
  maxTimeoutMs: number;
  /** How long an idempotency key is kept (IDEMPOTENCY_TTL), in milliseconds. */
  idempotencyTtlMs: number;
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** The options as the enqueue takes them, less what the caller adds (its owner, the time to live). */
export type CheckedOptions = Pick<EnqueueOptions, 'runAt' | 'priority' | 'timeoutSeconds'> & {
  /** The key and how long it is kept; the request digest is made with the kind and input. */
  idempotency: { key: string; ttlMs: number } | null;
};

function optionsSchema({ maxDelayMs, maxTimeoutMs }: TaskOptionLimits) {
  const maxDelaySeconds = Math.floor(maxDelayMs / 1000);
  const maxTimeoutSeconds = Math.floor(maxTimeoutMs / 1000);
  return z
    .object({
      idempotencyKey: z
        .string()
        .min(1, { error: 'must not be empty' })
        .max(MAX_IDEMPOTENCY_KEY_LENGTH, { error: `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` })
        .nullish(),
      runAt: z.date().nullish(),
      delaySeconds: z
        .int()
        .min(0, { error: 'must not be negative' })
        .max(maxDelaySeconds, { error: `must be at most ${maxDelaySeconds} (MAX_DELAY)` })
        .nullish(),
      priority: z
        .int()
        .min(1, { error: 'must be between 1 (first) and 1000' })
        .max(MAX_PRIORITY, { error: `must be between 1 (first) and ${MAX_PRIORITY}` })
        .nullish(),
      timeoutSeconds: z
        .int()
        .min(1, { error: 'must be at least 1 second' })
        .max(maxTimeoutSeconds, {
          error: `must be at most ${maxTimeoutSeconds}, the workers' limit (WORKER_MAX_TIMEOUT)`,
        })
        .nullish(),
    })
    .check((context) => {
      const { runAt, delaySeconds } = context.value;
      if (runAt != null && delaySeconds != null) {
        context.issues.push({
          code: 'custom',
          path: ['delaySeconds'],
          message: 'set runAt or delaySeconds, not both',
          input: delaySeconds,
        });
      }
      if (runAt != null && runAt.getTime() - Date.now() > maxDelayMs) {
        context.issues.push({
          code: 'custom',
          path: ['runAt'],
          message: `must be at most ${maxDelaySeconds} seconds ahead (MAX_DELAY)`,
          input: runAt,
        });
      }
    });
}

export interface OptionsCheck {
  value: CheckedOptions | null;
  issues: InputIssue[];
}

/** Checks a create's options against the limits: the options to enqueue with, or every problem. */
export function createOptionsChecker(limits: TaskOptionLimits) {
  const schema = optionsSchema(limits);
  return (options: TaskOptionsInput | null | undefined, label?: string): OptionsCheck => {
    const parsed = schema.safeParse(options ?? {});
    if (!parsed.success) return { value: null, issues: zodIssues(parsed.error).map((issue) => ({ ...issue, label })) };
    const { idempotencyKey, runAt, delaySeconds, priority, timeoutSeconds } = parsed.data;
    return {
      value: {
        runAt: runAt ? runAt.getTime() : delaySeconds ? Date.now() + delaySeconds * 1000 : null,
        priority: priority ?? null,
        timeoutSeconds: timeoutSeconds ?? null,
        idempotency: idempotencyKey ? { key: idempotencyKey, ttlMs: limits.idempotencyTtlMs } : null,
      },
      issues: [],
    };
  };
}

/**
 * What a create asks for, as a digest: two creates under one idempotency key are the same request
 * when they create the same kind with the same input and the same options, as the client sent them
 * (a delay in seconds, not the time it works out to).
 */
export function requestDigest(kind: string, input: unknown, options: TaskOptionsInput | null | undefined): string {
  const { runAt, delaySeconds, priority, timeoutSeconds } = options ?? {};
  const asked = {
    kind,
    input,
    runAt: runAt?.getTime() ?? null,
    delaySeconds: delaySeconds ?? null,
    priority: priority ?? null,
    timeoutSeconds: timeoutSeconds ?? null,
  };
  return createHash('sha256').update(JSON.stringify(asked)).digest('base64url');
}
