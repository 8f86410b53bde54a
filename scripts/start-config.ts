import { z } from 'zod';
import { commonVariables } from '../core/config.js';

/** What `npm start` itself reads (the API and the worker read their own). */
export const startConfigSchema = z.object({
  REDIS_URL: commonVariables.REDIS_URL,
  /** A Redis Cluster or Sentinel is the user's own: `npm start` then starts no redis-server. */
  REDIS_CLUSTER_NODES: commonVariables.REDIS_CLUSTER_NODES,
  REDIS_SENTINELS: commonVariables.REDIS_SENTINELS,
  /** auto: start a redis-server for the project when none answers at a local REDIS_URL; never: don't. */
  START_REDIS: z.enum(['auto', 'never'], { error: 'must be auto or never' }).default('auto'),
});
