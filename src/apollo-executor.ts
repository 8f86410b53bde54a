import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, type ExecutionResult, type GraphQLSchema } from 'graphql';

const precomputed = Symbol('precomputed result');

/**
 * A context whose operation has already run (see http-handler.ts): Apollo answers with this result
 * instead of running the operation again, formatting its errors as it formats any others.
 */
export function withResult<Context extends object>(context: Context, result: ExecutionResult): Context {
  return { ...context, [precomputed]: result };
}

/**
 * Apollo's executor, through its gateway interface: graphql-js's execute, as Apollo calls it
 * itself, except for a context that carries its result already (withResult). The schema never
 * changes, so it is loaded once.
 */
export function executorGateway(schema: GraphQLSchema): GatewayInterface {
  return {
    async load() {
      return {
        async executor({ context, document, request, operationName }) {
          const result = (context as { [precomputed]?: ExecutionResult })[precomputed];
          return (
            result ??
            execute({
              schema,
              document,
              contextValue: context,
              variableValues: request.variables,
              operationName: operationName ?? request.operationName,
            })
          );
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async stop() {},
  };
}
