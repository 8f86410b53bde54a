import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { asGraphQLError } from './errors.js';

/** An operation text parsed and validated: its document, or what is wrong with it (Apollo's codes). */
export type PreparedDocument = { document: DocumentNode } | { errors: GraphQLError[] };

export interface DocumentCache {
  get(query: string): PreparedDocument;
}

export interface DocumentCacheOptions {
  schema: GraphQLSchema;
  /** Applied after graphql-js's own rules, as Apollo applies them. */
  validationRules: readonly ValidationRule[];
  /** Tokens a document may hold; parsing stops past them, as Apollo's does. */
  maxTokens: number;
  /** Distinct operation texts kept; the cache starts over when it is full. */
  maxEntries?: number;
}

/** Apollo's codes for the same failures, so that a client reads both transports alike. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });
}

/**
 * Every operation text parsed and validated once. Clients send the same few texts over and over:
 * requests skip the work, and thousands of subscriptions share one document instead of holding a
 * parsed copy each (its tokens and locations were most of a subscription's memory). Keyed by the
 * text itself, so no hash is computed per request; bounded, so that a client sending endless
 * distinct texts cannot grow it.
 */
export function createDocumentCache({
  schema,
  validationRules,
  maxTokens,
  maxEntries = 1_000,
}: DocumentCacheOptions): DocumentCache {
  const rules = [...specifiedRules, ...validationRules];
  const prepared = new Map<string, PreparedDocument>();

  function prepare(query: string): PreparedDocument {
    let document;
    try {
      document = parse(query, { maxTokens });
    } catch (error) {
      // A syntax error, or a document nested deeper than the parser's stack (as Apollo answers it).
      return { errors: [withCode(asGraphQLError(error), 'GRAPHQL_PARSE_FAILED')] };
    }
    let errors;
    try {
      errors = validate(schema, document, rules);
    } catch (error) {
      errors = [asGraphQLError(error)];
    }
    if (errors.length > 0) return { errors: errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED')) };
    return { document };
  }

  return {
    get(query) {
      let entry = prepared.get(query);
      if (!entry) {
        entry = prepare(query);
        if (prepared.size >= maxEntries) prepared.clear();
        prepared.set(query, entry);
      }
      return entry;
    },
  };
}
