/**
 * Every Redis key and channel of the service, BullMQ's included, starts with one prefix holding a
 * hash tag (`{tasks}` by default), so all of them live in one Redis Cluster slot and the Lua scripts
 * that touch several keys stay legal there.
 */
export const DEFAULT_PREFIX = '{tasks}';

/** BullMQ's queue name, under the prefix: its keys read `{tasks}:queue:...`. */
export const QUEUE_NAME = 'queue';

export function hasHashTag(prefix: string): boolean {
  return /\{[^{}]+\}/.test(prefix);
}

export interface Keys {
  prefix: string;
  task(id: string): string;
  expiry: string;
  index(filter: { state?: string; name?: string }): string;
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
    index: ({ state, name }) =>
      name && state
        ? `${prefix}:index:name:${name}:state:${state}`
        : name
          ? `${prefix}:index:name:${name}`
          : state
            ? `${prefix}:index:state:${state}`
            : `${prefix}:index:all`,
    workers: `${prefix}:workers`,
    worker: (name) => `${prefix}:worker:${name}`,
    taskChannel: (id) => `${prefix}:events:task:${id}`,
    allTasksChannel: `${prefix}:events:all`,
    cancelChannel: `${prefix}:cancel`,
    rateLimit: (name, client) => `${prefix}:rate-limit:${name}:${client}`,
  };
}
