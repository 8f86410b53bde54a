import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/config.js';
import { parseApiConfig } from '../src/config.js';
import { parseWorkerConfig } from '../worker/config.js';
import { runEntryPoint } from './support/processes.js';

describe('configuration', () => {
  it('should use the documented defaults, times in milliseconds', () => {
    expect(parseApiConfig({})).toMatchObject({
      redis: { url: 'redis://127.0.0.1:6379', keyPrefix: '{tasks}' },
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
