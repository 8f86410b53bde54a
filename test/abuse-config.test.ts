import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/config.js';
import { parseApiConfig } from '../src/config.js';
import { runEntryPoint } from './support/processes.js';

describe('abuse protection configuration', () => {
  it('should default to the documented limits', () => {
    const config = parseApiConfig({});
    expect(config.limits).toEqual({
      maxDepth: 20,
      maxRootFields: 10,
      maxFields: 500,
      maxTokens: 5000,
      maxCost: 25_000,
      maxAliasesPerField: 5,
      maxResponseBytes: 2_000_000,
      readBudget: 1_000_000,
      maxSubscriptionsPerSocket: 100,
      maxSocketsPerClient: 100,
      maxSubscriptionsPerClient: 1_000,
      maxTaskUpdatedPerClient: 10,
      rateLimitCreates: 600,
      rateLimitWindowMs: 60_000,
      maxWaitingPerOwner: 10_000,
    });
    expect(config.ws).toEqual({ connectionInitTimeoutMs: 3_000, keepAliveMs: 12_000 });
    expect(config.http.corsOrigins).toEqual([]);
  });

  it('should read every variable into the configuration', () => {
    const config = parseApiConfig({
      MAX_QUERY_DEPTH: '8',
      MAX_ROOT_FIELDS: '3',
      MAX_QUERY_FIELDS: '100',
      MAX_QUERY_TOKENS: '1000',
      MAX_QUERY_COST: '5000',
      MAX_FIELD_ALIASES: '2',
      MAX_RESPONSE_BYTES: '100000',
      READ_BUDGET: '20000',
      MAX_SUBSCRIPTIONS_PER_SOCKET: '5',
      MAX_SOCKETS_PER_CLIENT: '4',
      MAX_SUBSCRIPTIONS_PER_CLIENT: '12',
      MAX_TASK_UPDATED_PER_CLIENT: '1',
      WS_CONNECTION_INIT_TIMEOUT: '10',
      WS_KEEP_ALIVE: '30',
      RATE_LIMIT_CREATES: '20',
      RATE_LIMIT_WINDOW: '3600',
      MAX_WAITING_PER_OWNER: '50',
      CORS_ORIGINS: ' https://app.example.com , http://localhost:5173,',
    });
    expect(config.limits).toEqual({
      maxDepth: 8,
      maxRootFields: 3,
      maxFields: 100,
      maxTokens: 1000,
      maxCost: 5000,
      maxAliasesPerField: 2,
      maxResponseBytes: 100_000,
      readBudget: 20_000,
      maxSubscriptionsPerSocket: 5,
      maxSocketsPerClient: 4,
      maxSubscriptionsPerClient: 12,
      maxTaskUpdatedPerClient: 1,
      rateLimitCreates: 20,
      rateLimitWindowMs: 3_600_000,
      maxWaitingPerOwner: 50,
    });
    expect(config.ws).toEqual({ connectionInitTimeoutMs: 10_000, keepAliveMs: 30_000 });
    expect(config.http.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('should name each bad variable and its value', () => {
    const bad = {
      MAX_QUERY_DEPTH: '0',
      MAX_SUBSCRIPTIONS_PER_SOCKET: 'many',
      RATE_LIMIT_CREATES: '1.5',
      RATE_LIMIT_WINDOW: '-60',
      CORS_ORIGINS: 'https://app.example.com,https://app.example.com/path',
    };
    expect(() => parseApiConfig(bad)).toThrow(ConfigError);
    let message = '';
    try {
      parseApiConfig(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('MAX_QUERY_DEPTH: must be at least 1 (got "0")');
    expect(message).toContain('MAX_SUBSCRIPTIONS_PER_SOCKET: must be a number (got "many")');
    expect(message).toContain('RATE_LIMIT_CREATES: must be a whole number (got "1.5")');
    expect(message).toContain('RATE_LIMIT_WINDOW: must be at least 1 (got "-60")');
    expect(message).toContain(
      'CORS_ORIGINS: must be comma-separated origins such as https://app.example.com, and "https://app.example.com/path" is not one',
    );
    for (const origins of ['*', 'app.example.com', 'https://app.example.com/', 'ftp://files.example.com']) {
      expect(() => parseApiConfig({ CORS_ORIGINS: origins }), origins).toThrow('CORS_ORIGINS');
    }
  });

  it('should stop the API at start with a message naming the variable', async () => {
    const { code, output } = await runEntryPoint('src/main.ts', { RATE_LIMIT_CREATES: 'lots', CORS_ORIGINS: '*' });
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration');
    expect(output).toContain('RATE_LIMIT_CREATES');
    expect(output).toContain('CORS_ORIGINS');
  });
});
