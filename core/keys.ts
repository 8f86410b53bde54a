import { createHash } from 'node:crypto';

/**
 * Every Redis key and channel of the service, BullMQ's included, starts with one prefix holding a
 * hash tag (`{tasks}` by default), so all of them live in one Redis Cluster slot and the Lua scripts
 * that touch several keys stay legal there.
 */
export const DEFAULT_PREFIX = '{tasks}';

/** BullMQ's queue name, under the prefix: its keys read `{tasks}:queue:...`. */
export const QUEUE_NAME = 'queue';

/** Owners (token subjects) are any strings: keys use a fixed-length digest of them instead. */
export function ownerKey(owner: string): string {
  return createHash('sha256').update(owner).digest('hex').slice(0, 32);
}

export function hasHashTag(prefix: string): boolean {
  return /\{[^{}]+\}/.test(prefix);
}

export interface Keys {
  prefix: string;
  task(id: string): string;
  expiry: string;
  /** The list index for a filter; with `ownerKey`, the owner's own (see ownerKey()). */
  index(filter: { state?: string; name?: string; ownerKey?: string }): string;
  workers: string;
  worker(name: string): string;
  taskChannel(id: string): string;
  allTasksChannel: string;
  cancelChannel: string;
  /** One client's bucket of a rate limit, such as `create` (see src/rate-limiter.ts). */
  rateLimit(name: string, client: string): string;
}

export function createKeys(prefix: string = DEFAULT_PREFIX): Keys {
  return {
    prefix,
    task: (id) => `${prefix}:task:${id}`,
    expiry: `${prefix}:expiry`,
    // The index names are also built inside the Lua scripts (task-scripts.ts): keep both in step.
    index: ({ state, name, ownerKey }) => {
      const base = ownerKey ? `${prefix}:index:owner:${ownerKey}` : `${prefix}:index`;
      if (name && state) return `${base}:name:${name}:state:${state}`;
      if (name) return `${base}:name:${name}`;
      if (state) return `${base}:state:${state}`;
      return `${base}:all`;
    },
    workers: `${prefix}:workers`,
    worker: (name) => `${prefix}:worker:${name}`,
    taskChannel: (id) => `${prefix}:events:task:${id}`,
    allTasksChannel: `${prefix}:events:all`,
    cancelChannel: `${prefix}:cancel`,
    rateLimit: (name, client) => `${prefix}:rate-limit:${name}:${client}`,
  };
}
