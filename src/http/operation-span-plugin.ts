import type { ApolloServerPlugin } from '@apollo/server';
import { recordError, tracer } from '../../core/tracing.js';
import type { Context } from '../graphql/context.js';
import { describeOperation, tasksWithin, UNKNOWN_OPERATION } from '../graphql/operation-span.js';

/**
 * A span for each operation through Apollo's whole pipeline, from the request's start (before
 * parsing) to its answer: its type and name once Apollo knows them, every error it answers. Under
 * the request's own span (instrumentation-http's) when there is one.
 */
export function operationSpanPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart(requestContext) {
      const span = tracer.startSpan(UNKNOWN_OPERATION);
      requestContext.contextValue.tasks = tasksWithin(requestContext.contextValue.tasks, span);
      return {
        async didResolveOperation({ operation }) {
          if (operation) describeOperation(span, operation);
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) recordError(span, error);
        },
        async willSendResponse() {
          span.end();
        },
      };
    },
  };
}
