import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/config.js';
import { defaultAbuseProtection } from '../src/abuse-protection.js';
import { abuseProtectionFrom, loadApiConfig } from '../src/config.js';
import { runEntryPoint } from './support/processes.js';

describe('abuse protection configuration', () => {
  it('should default to the documented limits', () => {
    const config = loadApiConfig({});
    expect(config).toMatchObject({
      MAX_QUERY_DEPTH: 20,
      MAX_ROOT_FIELDS: 10,
      MAX_QUERY_FIELDS: 500,
      MAX_QUERY_COST: 25_000,
      MAX_FIELD_ALIASES: 5,
      MAX_QUERY_TOKENS: 5000,
      MAX_SUBSCRIPTIONS_PER_SOCKET: 100,
      WS_CONNECTION_INIT_TIMEOUT: 3,
      WS_KEEP_ALIVE: 12,
      RATE_LIMIT_CREATES: 600,
      RATE_LIMIT_WINDOW: 60,
      CORS_ORIGINS: [],
    });
    expect(abuseProtectionFrom(config)).toEqual(defaultAbuseProtection);
  });

  it('should read every variable into createApi options', () => {
    const config = loadApiConfig({
      MAX_QUERY_DEPTH: '8',
      MAX_ROOT_FIELDS: '3',
      MAX_QUERY_FIELDS: '100',
      MAX_QUERY_COST: '1000',
      MAX_FIELD_ALIASES: '2',
      MAX_QUERY_TOKENS: '1000',
      MAX_SUBSCRIPTIONS_PER_SOCKET: '5',
      WS_CONNECTION_INIT_TIMEOUT: '10',
      WS_KEEP_ALIVE: '30',
      RATE_LIMIT_CREATES: '20',
      RATE_LIMIT_WINDOW: '3600',
      CORS_ORIGINS: ' https://app.example.com , http://localhost:5173,',
    });
    expect(abuseProtectionFrom(config)).toEqual({
      maxDepth: 8,
      maxRootFields: 3,
      maxFields: 100,
      maxCost: 1000,
      maxAliasesPerField: 2,
      maxTokens: 1000,
      maxSubscriptionsPerSocket: 5,
      connectionInitTimeoutMs: 10_000,
      keepAliveMs: 30_000,
      rateLimitCreates: 20,
      rateLimitWindowSeconds: 3600,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
    });
  });

  it('should name each bad variable and its value', () => {
    const bad = {
      MAX_QUERY_DEPTH: '0',
      MAX_SUBSCRIPTIONS_PER_SOCKET: 'many',
      RATE_LIMIT_CREATES: '1.5',
      RATE_LIMIT_WINDOW: '-60',
      CORS_ORIGINS: 'https://app.example.com,https://app.example.com/path',
    };
    expect(() => loadApiConfig(bad)).toThrow(ConfigError);
    let message = '';
    try {
      loadApiConfig(bad);
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
      expect(() => loadApiConfig({ CORS_ORIGINS: origins }), origins).toThrow('CORS_ORIGINS');
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
