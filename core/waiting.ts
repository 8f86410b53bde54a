import { createHash } from 'node:crypto';

/**
 * What one owner may hold waiting (MAX_WAITING_PER_OWNER): a waiting task is a QUEUED one, delayed
 * or not, from its create until it starts, is cancelled or deleted (a run handed back to the queue,
 * to be retried or after its worker stopped, waits again). A record waiting has no time to live,
 * and a delayed one may wait for weeks: without a bound, one client could fill Redis at the rate
 * its creates are allowed.
 *
 * Tasks spread over the partitions, and no script spans two: each partition keeps its own count of
 * every waiter's tasks (its waiting set, core/scripts/includes/waiting.lua), which the scripts that
 * move a task into or out of QUEUED keep exact in the same call. The bound is split into one share
 * per partition (waitingShare, the shares summing to the bound), which create.lua holds atomically;
 * a create whose partition has no room left tries the next ones (core/enqueue-task.ts), so that a
 * caller is refused only when every share is full: exactly at the bound, however many API
 * instances create at once. An idempotent create can use its key's partition only.
 */

/**
 * Whom a waiting task counts against: its owner (a token's subject), else the address that created
 * it (authentication off), as the other per-client limits count (src/tasks/caller.ts). A digest, as
 * both are any strings: it is kept in the task's record as `waiter`.
 */
export function waiterOf(owner: string, client?: string): string;
export function waiterOf(owner: string | null, client: string): string;
export function waiterOf(owner: string | null, client?: string): string {
  const whom = owner === null ? `address\0${client}` : `owner\0${owner}`;
  return createHash('sha256').update(whom).digest('hex').slice(0, 32);
}

/** The share of the bound partition `index` of `count` holds for each waiter. */
export function waitingShare(maxPerOwner: number, count: number, index: number): number {
  return Math.floor((maxPerOwner + index) / count);
}

/** A create refused: its waiter holds as many waiting tasks as it may (in one partition, or in all). */
export class TooManyWaitingError extends Error {
  constructor(readonly limit: number) {
    super(`at most ${limit} tasks may wait at once`);
  }
}
