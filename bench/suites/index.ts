import type { Suite } from '../support/suite.js';
import { drainSuite } from './drain.js';
import { listingSuite } from './listing.js';
import { workerSuite } from './worker.js';

/** Every suite, in the order `npm run bench` runs them. */
export const suites: Suite[] = [workerSuite, drainSuite, listingSuite];
