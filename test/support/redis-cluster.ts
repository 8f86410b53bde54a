// Shared with the benchmarks, which start the same Redis deployments.
export * from '../../testbed/redis-cluster.js';
