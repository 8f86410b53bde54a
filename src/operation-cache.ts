import {
  getOperationAST,
  GraphQLError,
  getVariableValues,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { DocumentCache } from './document-cache.js';

/** A query or mutation that parsed and passed every validation rule, compiled to run. */
export interface ReadyOperation {
  /**
   * Runs the operation with graphql-jit, or answers null without running anything when the
   * variables do not fit it (graphql-js coerces them: Apollo's answer to that depends on its errors).
   */
  run(context: unknown, variables: Record<string, unknown> | undefined | null): Promise<ExecutionResult> | null;
}

export interface OperationCache {
  /**
   * The operation `query` selects with `operationName`, compiled once for all the requests that
   * send the same text; null when it does not parse, fails a rule, or is not a single query or
   * mutation (a subscription over HTTP): those are left to Apollo, which answers them.
   */
  get(query: string, operationName: string | undefined): ReadyOperation | null;
}

export interface OperationCacheOptions {
  schema: GraphQLSchema;
  /** Where the texts are parsed and validated (with Apollo's rules): shared with graphql-ws. */
  documents: DocumentCache;
  /** Distinct (operation name, text) pairs kept; the cache starts over when it is full. */
  maxEntries?: number;
}

/**
 * graphql-jit's errors look like graphql-js's but are not quite: no `extensions` when the thrown error
 * had none (Apollo's error formatting reads `extensions.code`), locations without the nodes they come
 * from. Apollo formats the results that have errors: it gets graphql-js errors, as from execute().
 */
function withGraphqlJsErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  const errors = result.errors.map((error) => {
    const converted = new GraphQLError(error.message, {
      path: error.path,
      originalError: error.originalError ?? undefined,
      extensions: error.extensions,
    });
    if (error.locations) Object.defineProperty(converted, 'locations', { value: error.locations, enumerable: true });
    return converted;
  });
  return { ...result, errors };
}

/** graphql-jit's compiled operations for the HTTP fast path, one per operation name and text. */
export function createOperationCache({ schema, documents, maxEntries = 1_000 }: OperationCacheOptions): OperationCache {
  const entries = new Map<string, ReadyOperation | null>();

  function prepare(query: string, operationName: string | undefined): ReadyOperation | null {
    const prepared = documents.get(query);
    if ('errors' in prepared) return null;
    const operation = getOperationAST(prepared.document, operationName);
    if (!operation || operation.operation === 'subscription') return null;
    try {
      const compiled = compileQuery(schema, prepared.document, operationName);
      return isCompiledQuery(compiled) ? ready(operation, compiled) : null;
    } catch {
      return null; // what graphql-jit cannot compile, Apollo runs
    }
  }

  function ready(operation: OperationDefinitionNode, compiled: CompiledQuery): ReadyOperation {
    const variableDefinitions = operation.variableDefinitions ?? [];
    return {
      run(context, variables) {
        if (variableDefinitions.length > 0) {
          const coerced = getVariableValues(schema, variableDefinitions, variables ?? {});
          if (coerced.errors) return null;
        }
        return Promise.resolve(compiled.query(undefined, context, variables)).then(withGraphqlJsErrors);
      },
    };
  }

  return {
    get(query, operationName) {
      // The name's length first keeps every (name, text) pair's key distinct.
      const key = operationName === undefined ? `-:${query}` : `${operationName.length}:${operationName}${query}`;
      let entry = entries.get(key);
      if (entry === undefined) {
        entry = prepare(query, operationName);
        // Bounded, so that a client sending endless distinct texts cannot grow it.
        if (entries.size >= maxEntries) entries.clear();
        entries.set(key, entry);
      }
      return entry;
    },
  };
}
