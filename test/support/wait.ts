// Shared with the benchmarks, which start the same Redis deployments.
export { waitFor, within } from '../../testbed/wait.js';
