import type { Suite } from '../support/suite.js';
import { clusterSuite } from './cluster.js';
import { createSuite } from './create.js';
import { delayedSuite } from './delayed.js';
import { drainSuite } from './drain.js';
import { fanoutSuite } from './fanout.js';
import { idempotentSuite } from './idempotent.js';
import { isolationSuite } from './isolation.js';
import { redisWorkSuite } from './redis-work.js';
import { latencySuite } from './latency.js';
import { listingSuite } from './listing.js';
import { workerSuite } from './worker.js';

/** Every suite, in the order `npm run bench` runs them. */
export const suites: Suite[] = [
  createSuite,
  idempotentSuite,
  latencySuite,
  fanoutSuite,
  workerSuite,
  isolationSuite,
  drainSuite,
  redisWorkSuite,
  delayedSuite,
  listingSuite,
  clusterSuite,
];
