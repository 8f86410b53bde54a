import type { CostLimits } from './graphql/cost-limit-rule.js';

/**
 * What keeps one client from taking more than its share: the limits of createApi's
 * `abuseProtection` option. The entry point fills them from the configuration (src/config.ts,
 * whose defaults are these); tests set their own.
 */
export interface AbuseProtection extends CostLimits {
  /**
   * Tokens (names, punctuation, values) a document may hold: parsing stops there, before the
   * work of parsing and validating a large document (hundreds of milliseconds for one megabyte).
   */
  maxTokens: number;
  /** Operations (subscriptions, mostly) one WebSocket may have running at once. */
  maxSubscriptionsPerSocket: number;
  /** A WebSocket that has not sent connection_init within this time is closed. */
  connectionInitTimeoutMs: number;
  /**
   * WebSockets are pinged this often, and one that has not answered by the next ping is closed:
   * a vanished client's subscriptions do not linger.
   */
  keepAliveMs: number;
  /** Tasks one client may create at once; the bucket refills over `rateLimitWindowSeconds`. */
  rateLimitCreates: number;
  rateLimitWindowSeconds: number;
  /** Origins whose pages may call /graphql from a browser; none: same-origin only. */
  corsOrigins: readonly string[];
}

export const defaultAbuseProtection: AbuseProtection = {
  // The standard introspection query (GraphiQL, codegen) is 15 deep and has about 230 fields; the
  // dashboard's deepest query is 4 deep with about 30 fields.
  maxDepth: 20,
  maxRootFields: 10,
  maxFields: 500,
  // The dashboard's list of a full page of tasks costs 12,405, 10,000 of them the tasks' numbers (see
  // cost-limit-rule.ts); hundreds of aliases of `numbers` over that page cost millions.
  maxCost: 25_000,
  // The dashboard's and codegen's operations select no field more than twice in one place.
  maxAliasesPerField: 5,
  // Some 200 for the introspection query, 100 for the dashboard's list; 300 aliased mutations take
  // 4,000, and still meet maxRootFields with a clear message.
  maxTokens: 5_000,
  maxSubscriptionsPerSocket: 100,
  connectionInitTimeoutMs: 3_000, // graphql-ws's own default
  keepAliveMs: 12_000, // graphql-ws's own ping interval
  // The dashboard creates one task per click; a script may burst to 600, then 10 a second.
  rateLimitCreates: 600,
  rateLimitWindowSeconds: 60,
  corsOrigins: [],
};
