import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/config.js';
import { parseApiConfig } from '../src/config.js';
import { parseWorkerConfig } from '../worker/config.js';
import { runEntryPoint } from './support/processes.js';

describe('configuration', () => {
  it('should use the documented defaults, times in milliseconds', () => {
    expect(parseApiConfig({})).toMatchObject({
      redis: {
        target: { mode: 'single', url: 'redis://127.0.0.1:6379' },
        keyPrefix: '{tasks}',
        partitions: 1,
        username: undefined,
        password: undefined,
      },
      http: { port: 4000, host: '0.0.0.0', corsOrigins: [] },
      tasks: { resultTtlMs: 3_600_000 },
      log: { level: 'info', format: undefined },
      errors: { includeStacktrace: false },
    });
    expect(parseWorkerConfig({})).toMatchObject({
      worker: {
        concurrency: 100,
        maxTimeoutMs: 330_000,
        shutdownTimeoutMs: 30_000,
        stalled: { lockDurationMs: 10_000, checkEveryMs: 5_000, maxCount: 2 },
      },
    });
  });

  it('should list every bad variable with its value', () => {
    const bad = { PORT: 'eighty', RESULT_TTL: '0', REDIS_URL: 'http://x', REDIS_KEY_PREFIX: 'tasks' };
    expect(() => parseApiConfig(bad)).toThrow(ConfigError);
    let message = '';
    try {
      parseApiConfig(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PORT: must be a number (got "eighty")');
    expect(message).toContain('RESULT_TTL: must be at least 1 (got "0")');
    expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL (got "http://x")');
    expect(message).toContain('REDIS_KEY_PREFIX: must hold a Redis Cluster hash tag such as {tasks} (got "tasks")');
    expect(() => parseWorkerConfig({ WORKER_CONCURRENCY: '0' })).toThrow('WORKER_CONCURRENCY: must be at least 1');
    expect(() => parseWorkerConfig({ WORKER_MAX_TIMEOUT: '2.5' })).toThrow(
      'WORKER_MAX_TIMEOUT: must be a whole number',
    );
    expect(() => parseApiConfig({ ERROR_STACK_TRACES: 'sometimes' })).toThrow(
      'ERROR_STACK_TRACES: must be true or false',
    );
    expect(() =>
      parseApiConfig({ AUTH_JWT_SECRET: 'x'.repeat(32), AUTH_JWKS_URL: 'https://issuer.example.com/jwks.json' }),
    ).toThrow('AUTH_JWT_SECRET, AUTH_JWKS_URL: set one or the other, not both');
  });

  it("should turn traces on with an OTLP endpoint, and check OpenTelemetry's variables", () => {
    expect(parseApiConfig({}).traces).toBeNull();
    expect(parseWorkerConfig({ OTEL_SERVICE_NAME: 'tasks', OTEL_TRACES_SAMPLER: 'always_on' }).traces).toBeNull();
    expect(parseApiConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).traces).toEqual({
      protocol: 'http/protobuf',
    });
    expect(
      parseWorkerConfig({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example.com/v1/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      }).traces,
    ).toEqual({ protocol: 'http/json' });
    expect(() => parseApiConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL (got "collector:4318")',
    );
    expect(() => parseWorkerConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http' })).toThrow(
      'OTEL_EXPORTER_OTLP_PROTOCOL: must be one of http/protobuf, http/json, grpc (got "http")',
    );
    expect(() => parseApiConfig({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow('OTEL_TRACES_SAMPLER: must be one of');
    expect(() => parseApiConfig({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(
      'OTEL_TRACES_SAMPLER_ARG: must be from 0 to 1 (got "2")',
    );
  });

  it('should read a Redis Cluster, or Sentinel, with its credentials, one mode at a time', () => {
    const cluster = parseWorkerConfig({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-2.internal:7001,[::1]:7002',
      REDIS_PASSWORD: 'secret',
    });
    expect(cluster.redis).toMatchObject({
      target: {
        mode: 'cluster',
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: 'redis-2.internal', port: 7001 },
          { host: '::1', port: 7002 },
        ],
      },
      password: 'secret',
      partitions: 12, // several per master by default on a cluster
    });
    expect(parseApiConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', TASK_PARTITIONS: '6' }).redis.partitions).toBe(6);
    expect(
      parseApiConfig({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'tasks', REDIS_USERNAME: 'app' })
        .redis,
    ).toMatchObject({
      target: {
        mode: 'sentinel',
        name: 'tasks',
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
        ],
      },
      username: 'app',
      partitions: 1,
    });

    expect(() =>
      parseApiConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'm' }),
    ).toThrow('REDIS_CLUSTER_NODES, REDIS_SENTINELS: set one or the other');
    expect(() => parseWorkerConfig({ REDIS_SENTINELS: 'b:2' })).toThrow('REDIS_SENTINELS, REDIS_SENTINEL_NAME: ');
    expect(() => parseApiConfig({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(
      'REDIS_CLUSTER_NODES: must be comma-separated host:port, and "10.0.0.1" is not',
    );
    expect(() => parseApiConfig({ REDIS_CLUSTER_NODES: 'a:99999' })).toThrow('REDIS_CLUSTER_NODES');
    expect(() => parseApiConfig({ TASK_PARTITIONS: '0' })).toThrow('TASK_PARTITIONS: must be at least 1');
    expect(() => parseApiConfig({ TASK_PARTITIONS: '257' })).toThrow('TASK_PARTITIONS: must be at most 256');
  });

  it.each([
    ['src/main.ts', { RESULT_TTL: 'forever' }, 'RESULT_TTL'],
    ['worker/main.ts', { WORKER_CONCURRENCY: '-3' }, 'WORKER_CONCURRENCY'],
  ])('should stop %s at start with a message naming the variable', async (entry, env, name) => {
    const { code, output } = await runEntryPoint(entry, env);
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration');
    expect(output).toContain(name);
  });
});
