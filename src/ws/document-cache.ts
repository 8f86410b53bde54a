import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { DOCUMENT_CACHE_BYTES, documentBytes, MAX_CACHED_DOCUMENT_BYTES } from '../graphql/document-bytes.js';
import { asGraphQLError, withCode } from '../errors.js';

/** An operation text parsed and validated: its document, or what is wrong with it (Apollo's codes). */
export type PreparedDocument = { document: DocumentNode } | { errors: GraphQLError[] };

export interface DocumentCache {
  get(query: string): PreparedDocument;
}

export interface DocumentCacheOptions {
  schema: GraphQLSchema;
  /** Applied after graphql-js's own rules, as Apollo applies them over HTTP. */
  validationRules: readonly ValidationRule[];
  /** Tokens a document may hold; parsing stops past them, as Apollo's does. */
  maxTokens: number;
}

/**
 * The operation texts of graphql-ws parsed and validated once, as Apollo's document store does
 * over HTTP: thousands of subscriptions sending the same text share one document rather than each
 * holding a parsed copy. Bounded by bytes, least recently used first out; a text that fails, or is
 * too large to be worth keeping, is prepared each time it comes and never kept. Only sockets whose
 * token was accepted get this far.
 */
export function createDocumentCache({ schema, validationRules, maxTokens }: DocumentCacheOptions): DocumentCache {
  const rules = [...specifiedRules, ...validationRules];
  const documents = new LRUCache<string, DocumentNode>({
    maxSize: DOCUMENT_CACHE_BYTES,
    maxEntrySize: MAX_CACHED_DOCUMENT_BYTES,
    sizeCalculation: documentBytes,
  });

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
      const known = documents.get(query);
      if (known) return { document: known };
      const prepared = prepare(query);
      if ('document' in prepared) documents.set(query, prepared.document);
      return prepared;
    },
  };
}
