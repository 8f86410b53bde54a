import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/config.js';
import { loadApiConfig } from '../src/config.js';
import { loadWorkerConfig } from '../worker/config.js';
import { runEntryPoint } from './support/processes.js';

describe('configuration', () => {
  it('should use the documented defaults', () => {
    expect(loadApiConfig({})).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: '{tasks}',
      PORT: 4000,
      HOST: '0.0.0.0',
      RESULT_TTL: 3600,
      LOG_LEVEL: 'info',
    });
    expect(loadWorkerConfig({})).toMatchObject({
      WORKER_CONCURRENCY: 100,
      WORKER_MAX_TIMEOUT: 330,
      SHUTDOWN_TIMEOUT: 30,
    });
  });

  it('should list every bad variable with its value', () => {
    expect(() => loadApiConfig({ PORT: 'eighty', RESULT_TTL: '0', REDIS_URL: 'http://x' })).toThrow(ConfigError);
    try {
      loadApiConfig({ PORT: 'eighty', RESULT_TTL: '0', REDIS_URL: 'http://x', REDIS_KEY_PREFIX: 'tasks' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT: must be a number (got "eighty")');
      expect(message).toContain('RESULT_TTL: must be at least 1 (got "0")');
      expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL (got "http://x")');
      expect(message).toContain('REDIS_KEY_PREFIX: must hold a Redis Cluster hash tag such as {tasks} (got "tasks")');
    }
    expect(() => loadWorkerConfig({ WORKER_CONCURRENCY: '0' })).toThrow('WORKER_CONCURRENCY: must be at least 1');
    expect(() => loadWorkerConfig({ WORKER_MAX_TIMEOUT: '2.5' })).toThrow('WORKER_MAX_TIMEOUT: must be a whole number');
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
