import type { Suite } from '../support/suite.js';
import { clusterSuite } from './cluster.js';
import { createSuite } from './create.js';
import { drainSuite } from './drain.js';
import { fanoutSuite } from './fanout.js';
import { latencySuite } from './latency.js';
import { listingSuite } from './listing.js';
import { workerSuite } from './worker.js';

/** Every suite, in the order `npm run bench` runs them. */
export const suites: Suite[] = [
  createSuite,
  latencySuite,
  fanoutSuite,
  workerSuite,
  drainSuite,
  listingSuite,
  clusterSuite,
];
